package formats

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/coalmap/coalmap/geo"
)

// ogrReader streams the GeoJSONSeq that ogr2ogr writes to its stdout.
type ogrReader struct {
	*geojsonSeqReader
	cmd    *exec.Cmd
	stderr *tailBuffer
	waited bool
}

// tailBuffer keeps the last bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 4096 {
		t.buf = t.buf[len(t.buf)-4096:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}

var ogrLayerLine = regexp.MustCompile(`^\d+: (.*?)(?: \([^()]*\))?$`)

// ogrLayers lists the layers of src with ogrinfo.
func ogrLayers(ogrinfo, src string) ([]string, error) {
	out, err := exec.Command(ogrinfo, "-ro", "-so", "-q", src).Output()
	if err != nil {
		msg := ""
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			msg = strings.TrimSpace(string(ee.Stderr))
		}
		return nil, newError("ogr", "GDAL cannot open the file: "+msg, ErrUnsupported)
	}
	var layers []string
	for _, l := range strings.Split(string(out), "\n") {
		if m := ogrLayerLine.FindStringSubmatch(strings.TrimSpace(l)); m != nil {
			layers = append(layers, m[1])
		}
	}
	return layers, nil
}

// ogrHasSRS reports whether GDAL knows the layer's CRS.
func ogrHasSRS(ogrinfo, src, layer string) bool {
	out, err := exec.Command(ogrinfo, "-ro", "-so", "-nomd", src, layer).Output()
	if err != nil {
		return false
	}
	i := bytes.Index(out, []byte("Layer SRS WKT:"))
	if i < 0 {
		return false
	}
	rest := bytes.TrimSpace(out[i+len("Layer SRS WKT:"):])
	return !bytes.HasPrefix(rest, []byte("(unknown)"))
}

// openOGR reads any file GDAL reads by running
// "ogr2ogr -f GeoJSONSeq /vsistdout/ SRC LAYER". GDAL reprojects to
// EPSG:4326 when the layer's CRS is known (from the file, or from
// Options.SRID passed as -s_srs); when it is not (DXF), coordinates pass
// through and the CRS is unknown.
func openOGR(src string, opt Options) (Source, error) {
	ogr2ogr, err := exec.LookPath("ogr2ogr")
	if err != nil {
		return nil, newError("ogr", "this format is read through GDAL", ErrNoGDAL)
	}
	ogrinfo, err := exec.LookPath("ogrinfo")
	if err != nil {
		return nil, newError("ogr", "this format is read through GDAL", ErrNoGDAL)
	}
	layers, err := ogrLayers(ogrinfo, src)
	if err != nil {
		return nil, err
	}
	layer := ""
	switch {
	case opt.SourceLayer != "":
		for _, l := range layers {
			if strings.EqualFold(l, opt.SourceLayer) {
				layer = l
			}
		}
		if layer == "" {
			return nil, newError("ogr", fmt.Sprintf("no layer %q (layers: %s)", opt.SourceLayer, strings.Join(layers, ", ")), nil)
		}
	case len(layers) == 0:
		return nil, newError("ogr", "GDAL finds no layer", ErrEmpty)
	case len(layers) > 1:
		return nil, newError("ogr", fmt.Sprintf("%d layers (%s); choose one with --source-layer (source_layer= over HTTP)", len(layers), strings.Join(layers, ", ")), nil)
	default:
		layer = layers[0]
	}
	crs := CRS{SRID: geo.SRIDWGS84, From: "ogr2ogr (reprojected to 4326)"}
	args := []string{"-f", "GeoJSONSeq", "/vsistdout/", src, layer}
	switch {
	case opt.SRID != 0:
		args = append([]string{"-s_srs", "EPSG:" + strconv.Itoa(opt.SRID), "-t_srs", "EPSG:4326"}, args...)
		crs.From = "--srid (reprojected to 4326 by ogr2ogr)"
	case !ogrHasSRS(ogrinfo, src, layer):
		crs = CRS{From: "no CRS in the file (" + layer + ")"}
	}
	open := func() (reader, error) {
		cmd := exec.Command(ogr2ogr, args...)
		out, err := cmd.StdoutPipe()
		if err != nil {
			return nil, newError("ogr", "start ogr2ogr", err)
		}
		tb := &tailBuffer{}
		cmd.Stderr = tb
		if err := cmd.Start(); err != nil {
			return nil, newError("ogr", "start ogr2ogr", err)
		}
		return &ogrReader{geojsonSeqReader: newGeoJSONSeqReader(out, nil, "ogr"), cmd: cmd, stderr: tb}, nil
	}
	r, err := open()
	if err != nil {
		return nil, err
	}
	s, err := newStream("ogr", r, open, nil, opt)
	if err != nil {
		return nil, err
	}
	s.crs = crs
	s.enc = [2]string{"UTF-8", "ogr2ogr output"}
	return s, nil
}

func (o *ogrReader) next() (record, error) {
	rec, err := o.geojsonSeqReader.next()
	switch {
	case err == io.EOF:
		if werr := o.wait(); werr != nil {
			return record{}, werr
		}
	case err != nil:
		o.close()
		var e *Error
		if msg := o.stderr.String(); msg != "" && errors.As(err, &e) {
			e.Reason += " (ogr2ogr said: " + msg + ")"
		}
	}
	return rec, err
}

func (o *ogrReader) wait() error {
	if o.waited {
		return nil
	}
	o.waited = true
	if err := o.cmd.Wait(); err != nil {
		return newError("ogr", "ogr2ogr failed: "+o.stderr.String(), err)
	}
	return nil
}

func (o *ogrReader) close() error {
	if !o.waited {
		o.cmd.Process.Kill()
		o.waited = true
		o.cmd.Wait()
	}
	return nil
}
