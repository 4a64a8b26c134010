package styles

import (
	"fmt"
	"sort"

	"google.golang.org/protobuf/encoding/protowire"
)

// The glyphs PBF format (Mapbox's glyphs.proto, which MapLibre reads):
//
//	message glyph { uint32 id = 1; bytes bitmap = 2; uint32 width = 3;
//	  uint32 height = 4; sint32 left = 5; sint32 top = 6; uint32 advance = 7; }
//	message fontstack { string name = 1; string range = 2; repeated glyph glyphs = 3; }
//	message glyphs { repeated fontstack stacks = 1; }
const (
	fieldStacks     = 1 // glyphs.stacks
	fieldStackName  = 1 // fontstack.name
	fieldStackRange = 2 // fontstack.range
	fieldStackGlyph = 3 // fontstack.glyphs
	fieldGlyphID    = 1 // glyph.id
)

// Glyph is one glyph of a glyphs PBF: its codepoint and its encoded
// message, kept as is.
type Glyph struct {
	ID  uint32
	Raw []byte
}

// DecodeGlyphs returns the glyphs of every fontstack of a glyphs PBF, in the
// order they come.
func DecodeGlyphs(pbf []byte) ([]Glyph, error) {
	var out []Glyph
	err := eachField(pbf, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if num != fieldStacks || typ != protowire.BytesType {
			return nil
		}
		return eachField(v, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
			if num != fieldStackGlyph || typ != protowire.BytesType {
				return nil
			}
			g := Glyph{Raw: v}
			found := false
			err := eachField(v, func(num protowire.Number, typ protowire.Type, _ []byte, x uint64) error {
				if num == fieldGlyphID && typ == protowire.VarintType {
					g.ID, found = uint32(x), true
				}
				return nil
			})
			if err != nil {
				return err
			}
			if !found {
				return fmt.Errorf("styles: glyphs PBF: a glyph without id: %w", ErrInvalid)
			}
			out = append(out, g)
			return nil
		})
	})
	return out, err
}

// EncodeGlyphs writes one fontstack of glyphs, sorted by codepoint.
func EncodeGlyphs(name, rng string, glyphs []Glyph) []byte {
	sort.Slice(glyphs, func(i, j int) bool { return glyphs[i].ID < glyphs[j].ID })
	var stack []byte
	stack = protowire.AppendTag(stack, fieldStackName, protowire.BytesType)
	stack = protowire.AppendString(stack, name)
	stack = protowire.AppendTag(stack, fieldStackRange, protowire.BytesType)
	stack = protowire.AppendString(stack, rng)
	for _, g := range glyphs {
		stack = protowire.AppendTag(stack, fieldStackGlyph, protowire.BytesType)
		stack = protowire.AppendBytes(stack, g.Raw)
	}
	out := protowire.AppendTag(nil, fieldStacks, protowire.BytesType)
	return protowire.AppendBytes(out, stack)
}

// composeGlyphs merges the range files of a stack's fonts, in stack order:
// a codepoint's glyph comes from the first file that has it.
func composeGlyphs(name, rng string, pbfs [][]byte) ([]byte, error) {
	seen := map[uint32]bool{}
	var all []Glyph
	for _, b := range pbfs {
		gs, err := DecodeGlyphs(b)
		if err != nil {
			return nil, err
		}
		for _, g := range gs {
			if !seen[g.ID] {
				seen[g.ID] = true
				all = append(all, g)
			}
		}
	}
	return EncodeGlyphs(name, rng, all), nil
}

// eachField calls fn with each field of a protobuf message: for a
// length-delimited field its bytes, for a varint its value.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, v []byte, x uint64) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return fmt.Errorf("styles: glyphs PBF: %v: %w", protowire.ParseError(n), ErrInvalid)
		}
		b = b[n:]
		var v []byte
		var x uint64
		switch typ {
		case protowire.BytesType:
			v, n = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			x, n = protowire.ConsumeVarint(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("styles: glyphs PBF: %v: %w", protowire.ParseError(n), ErrInvalid)
		}
		b = b[n:]
		if err := fn(num, typ, v, x); err != nil {
			return err
		}
	}
	return nil
}
