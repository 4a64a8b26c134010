package overlaps

import (
	"context"
	"fmt"

	"github.com/paulmach/orb"
)

// lineLayer is a loaded line layer: its lines and their boxes.
type lineLayer struct {
	name    string
	version int64
	lines   []orb.LineString
	bounds  []orb.Bound
}

// errNoLineSource means routes were asked for line layers with no
// Config.Lines.
var errNoLineSource = fmt.Errorf("%w: this engine reads no line layers", ErrLayerLoad)

// lineLayer returns a line layer, loading it when not held or outdated
// (Config.CurrentVersion, Invalidate).
func (e *Engine) lineLayer(ctx context.Context, name string) (*lineLayer, error) {
	if e.cfg.Lines == nil {
		return nil, &layerError{layer: name, err: errNoLineSource}
	}
	e.mu.Lock()
	ll, ok := e.lines[name]
	e.mu.Unlock()
	if ok && (e.cfg.CurrentVersion == nil || func() bool { v, ok := e.cfg.CurrentVersion(name); return !ok || v <= ll.version }()) {
		return ll, nil
	}
	version, lines, err := e.cfg.Lines.Lines(ctx, name)
	if err != nil {
		return nil, &layerError{layer: name, err: err}
	}
	ll = &lineLayer{name: name, version: version}
	for _, l := range lines {
		switch g := l.Geom.(type) {
		case orb.LineString:
			ll.lines = append(ll.lines, g)
		case orb.MultiLineString:
			ll.lines = append(ll.lines, g...)
		}
	}
	for _, l := range ll.lines {
		ll.bounds = append(ll.bounds, l.Bound())
	}
	e.mu.Lock()
	e.lines[name] = ll
	e.mu.Unlock()
	return ll, nil
}

// near returns the lines whose boxes meet b.
func (ll *lineLayer) near(b orb.Bound) []orb.LineString {
	var out []orb.LineString
	for i, lb := range ll.bounds {
		if lb.Intersects(b) {
			out = append(out, ll.lines[i])
		}
	}
	return out
}
