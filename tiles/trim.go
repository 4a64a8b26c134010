package tiles

import (
	"google.golang.org/protobuf/encoding/protowire"
)

// Trimming a rendered tile to its size bound, without rendering it again.
//
// The renderer encodes a layer's features largest first (see
// Options.MaxBytes), so the features a smaller byte budget would keep are
// a prefix of those it encoded: the same tile, drawn again with a smaller
// budget, is that prefix. A tile over the bound is cut to the longest
// prefixes (the same share of each layer's feature bytes) that fit once
// gzip-compressed, found by bisection on that share; the layer's keys and
// values are kept whole (a few unused ones cost a few bytes). A render is
// a PostGIS query of hundreds of milliseconds for a crowded low-zoom tile;
// a bisection step is one gzip of the tile.

// MVT field numbers (vector_tile.proto).
const (
	mvtTileLayers    = 3
	mvtLayerFeatures = 2
)

// trimSteps is the number of bisection steps: the share found is within
// 1/2^trimSteps of the largest that fits.
const trimSteps = 7

// mvtLayer is one rendered layer split into its fields: the features'
// byte spans in encoding order, and everything else.
type mvtLayer struct {
	other    []byte   // the layer's other fields (name, keys, values, extent, version), in order
	features [][]byte // each a whole field (tag, length, message)
	bytes    int      // of all features
}

// splitLayer parses b, the blob of one layer (a Tile message with one
// layers field); ok is false when b is not one.
func splitLayer(b []byte) (l mvtLayer, ok bool) {
	num, typ, n := protowire.ConsumeTag(b)
	if n < 0 || num != mvtTileLayers || typ != protowire.BytesType {
		return l, false
	}
	layer, m := protowire.ConsumeBytes(b[n:])
	if m < 0 || n+m != len(b) {
		return l, false
	}
	for len(layer) > 0 {
		num, typ, n := protowire.ConsumeTag(layer)
		if n < 0 {
			return l, false
		}
		m := protowire.ConsumeFieldValue(num, typ, layer[n:])
		if m < 0 {
			return l, false
		}
		field := layer[:n+m]
		if num == mvtLayerFeatures && typ == protowire.BytesType {
			l.features = append(l.features, field)
			l.bytes += len(field)
		} else {
			l.other = append(l.other, field...)
		}
		layer = layer[n+m:]
	}
	return l, true
}

// prefix is how many of the layer's first features fit in share of its
// feature bytes.
func (l *mvtLayer) prefix(share float64) int {
	budget := share * float64(l.bytes)
	used, k := 0, 0
	for k < len(l.features) && float64(used+len(l.features[k])) <= budget {
		used += len(l.features[k])
		k++
	}
	return k
}

// encode returns the layer with its first k features, as a Tile message
// of one layer.
func (l *mvtLayer) encode(k int) []byte {
	size := len(l.other)
	for _, f := range l.features[:k] {
		size += len(f)
	}
	out := make([]byte, 0, size+protowire.SizeTag(mvtTileLayers)+protowire.SizeVarint(uint64(size)))
	out = protowire.AppendTag(out, mvtTileLayers, protowire.BytesType)
	out = protowire.AppendVarint(out, uint64(size))
	// The layer's own fields first (name, keys, values…), then the
	// features: field order does not matter in protobuf, and a reader
	// meets the name before the features as in ST_AsMVT's output.
	out = append(out, l.other...)
	for _, f := range l.features[:k] {
		out = append(out, f...)
	}
	return out
}

// trimBlobs cuts blobs to the longest prefixes that compose, by compose,
// into a tile of at most max bytes gzip-compressed. It reports false when a
// blob is not a parsable layer or when no prefix fits, and the caller
// renders again with smaller budgets.
func trimBlobs(blobs []Blob, max int, compose func([]Blob) *Entry) (*Entry, bool) {
	split := make([]mvtLayer, len(blobs))
	for i, b := range blobs {
		if len(b.MVT) == 0 {
			continue
		}
		l, ok := splitLayer(b.MVT)
		if !ok || len(l.features) != b.Features {
			return nil, false
		}
		split[i] = l
	}
	try := func(share float64) *Entry {
		cut := make([]Blob, len(blobs))
		for i, b := range blobs {
			cut[i] = b
			if len(b.MVT) == 0 {
				continue
			}
			k := split[i].prefix(share)
			cut[i].MVT = split[i].encode(k)
			cut[i].Features = k
			cut[i].Omitted = b.Omitted + b.Features - k
		}
		e := compose(cut)
		if len(e.Gzip()) > max {
			return nil
		}
		return e
	}
	var best *Entry
	lo, hi := 0.0, 1.0 // a share that fits (0: assumed), one that does not
	for range trimSteps {
		mid := (lo + hi) / 2
		if e := try(mid); e != nil {
			best, lo = e, mid
		} else {
			hi = mid
		}
	}
	if best == nil {
		return nil, false
	}
	return best, true
}
