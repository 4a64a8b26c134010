package layers

import (
	"context"
	"errors"

	"github.com/coalmap/coalmap/formats"
)

// ImportBackend is what importing files needs of the store.
type ImportBackend interface {
	Store
	Importer
}

// FileImport is one import of files into a layer, as the command line and
// the HTTP API run it.
type FileImport struct {
	Layer string
	Files []string
	// Meta, when not nil, is the layer's metadata (from a manifest): it
	// creates the layer or updates its description. Title, when not "",
	// names a new layer or retitles an existing one.
	Meta  *Layer
	Title string
	// Read are the reader options (SRID, IDField, Encoding, SourceLayer,
	// Format, MaxUncompressed).
	Read         formats.Options
	Invalid      InvalidMode
	AllowOutside bool
	Actor        string
	// ImportID is the queued job the import runs as, or 0.
	ImportID int64
	Progress func(ImportProgress)
	// Opened, when not nil, is called with the source once the files are
	// open (for a progress display).
	Opened func(*FileSource)
}

// ImportFiles opens the files, creates the layer when it is new (its
// geometry type from the first geometry, unless Meta says) and imports
// them. A layer it created is removed again if the import fails, so a
// failed import leaves nothing behind.
func ImportFiles(ctx context.Context, b ImportBackend, fi FileImport) (ImportResult, error) {
	res := ImportResult{Layer: fi.Layer}
	src, err := OpenFiles(fi.Files, fi.Read)
	if err != nil {
		return res, err
	}
	defer src.Close()
	if fi.Opened != nil {
		fi.Opened(src)
	}
	created, err := ensureLayer(ctx, b, fi, src)
	if err != nil {
		return res, err
	}
	opts := map[string]string{}
	for k, v := range map[string]string{"id_field": fi.Read.IDField, "encoding": fi.Read.Encoding,
		"source_layer": fi.Read.SourceLayer, "format": fi.Read.Format} {
		if v != "" {
			opts[k] = v
		}
	}
	res, err = b.Import(ctx, ImportRequest{
		Layer: fi.Layer, Source: src, SRID: fi.Read.SRID, SourceName: src.Name(), Checksum: src.Checksum(),
		Actor: fi.Actor, Invalid: fi.Invalid, AllowOutside: fi.AllowOutside, Options: opts,
		ImportID: fi.ImportID, Progress: fi.Progress,
	})
	if err != nil && created {
		if derr := b.DeleteLayer(context.WithoutCancel(ctx), fi.Layer, fi.Actor); derr != nil {
			err = errors.Join(err, derr)
		}
	}
	return res, err
}

// ensureLayer creates the layer's catalog entry when it is new, and applies
// Meta or Title to an existing one.
func ensureLayer(ctx context.Context, b ImportBackend, fi FileImport, src *FileSource) (created bool, err error) {
	cur, err := b.Layer(ctx, fi.Layer)
	switch {
	case errors.Is(err, ErrNotFound):
		l := Layer{ID: fi.Layer, Title: fi.Layer, Access: Public, MaxZoom: 22, SRID: StorageSRID}
		if fi.Meta != nil {
			l = *fi.Meta
		} else if l.GeometryType, err = src.GeometryType(); err != nil {
			return false, err
		}
		if fi.Title != "" {
			l.Title = fi.Title
		}
		return b.PutLayer(ctx, &l, fi.Actor)
	case err != nil:
		return false, err
	}
	if fi.Meta == nil && fi.Title == "" {
		return false, nil
	}
	l := cur
	if fi.Meta != nil {
		l = *fi.Meta
		l.Attributes = cur.Attributes // columns are the import's to change
	}
	if fi.Title != "" {
		l.Title = fi.Title
	}
	_, err = b.PutLayer(ctx, &l, fi.Actor)
	return false, err
}
