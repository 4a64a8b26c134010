package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/coalmap/coalmap/layers"
)

// DefaultMaxUpload is the upload size limit when Config.MaxUploadBytes is 0.
const DefaultMaxUpload = 2 << 30

// ImportService runs and records imports: layers.Imports.
type ImportService interface {
	Start(ctx context.Context, spec layers.ImportSpec) (layers.ImportJob, error)
	Get(ctx context.Context, id int64) (layers.ImportJob, error)
	List(ctx context.Context, layer string, limit int) ([]layers.ImportJob, error)
}

func (s *Server) routesImports(r chi.Router) {
	r.With(s.limit("/layers/{layer}/imports")).Post("/layers/{layer}/imports", s.handleImportUpload)
	r.Get("/imports/{job}", s.handleImportJob)
	r.Get("/collections/{layer}/imports", s.handleLayerImports)
}

// uploadExt maps an upload's media type to the extension its reader is
// chosen by.
var uploadExt = map[string]string{
	"application/geo+json":                 ".geojson",
	"application/json":                     ".geojson",
	"application/geo+json-seq":             ".geojsonl",
	"application/x-ndjson":                 ".geojsonl",
	"application/vnd.google-earth.kml+xml": ".kml",
	"application/vnd.google-earth.kmz":     ".kmz",
	"application/zip":                      ".zip",
	"application/x-zip-compressed":         ".zip",
	"application/geopackage+sqlite3":       ".gpkg",
	"text/csv":                             ".csv",
}

// uploadName makes a safe file name from a client's: its base name, with
// only letters, digits, dot, dash and underscore.
func uploadName(name, mediaType string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	n := strings.TrimLeft(b.String(), ".")
	if n == "" || n == "_" {
		n = "upload"
	}
	if filepath.Ext(n) == "" {
		n += uploadExt[mediaType]
	}
	return n
}

// handleImportUpload takes a file (multipart form or raw body), streams it
// to a temporary file within the size limit, and hands it to the import
// service, which runs it in the background: 202 with the job. The job
// reports success once every server following the change feed has the new
// version.
func (s *Server) handleImportUpload(w http.ResponseWriter, r *http.Request) {
	if !s.requireWrite(w, r) {
		return
	}
	b := s.deps.Imports
	if b == nil {
		s.writeError(w, r, errorf(http.StatusServiceUnavailable, "imports are not available on this server"))
		return
	}
	id := chi.URLParam(r, "layer")
	if !layers.ValidID(id) {
		s.writeError(w, r, badParam("layer", "%q is not a valid layer id (lower-case letters, digits, _; starting with a letter)", id))
		return
	}
	if l, ok := s.deps.Catalog.Layer(id); ok && !principal(r).CanRead(l) {
		s.writeError(w, r, errorf(http.StatusNotFound, "no such collection: %s", id))
		return
	}
	fi, err := s.importOptions(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit := s.cfg.MaxUploadBytes
	if limit <= 0 {
		limit = DefaultMaxUpload
	}
	if r.ContentLength > limit {
		s.writeError(w, r, tooLarge(limit))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	dir, err := os.MkdirTemp(s.cfg.UploadDir, "coalmap-upload-")
	if err != nil {
		s.writeError(w, r, fmt.Errorf("api: upload: %w", err))
		return
	}
	keep := false
	defer func() {
		if !keep {
			os.RemoveAll(dir)
		}
	}()
	path, size, err := receive(r, dir)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		s.writeError(w, r, tooLarge(limit))
		return
	case err != nil:
		s.writeError(w, r, err)
		return
	case size == 0:
		s.writeError(w, r, errorf(http.StatusBadRequest, "the uploaded file %s is empty", filepath.Base(path)))
		return
	}
	p := principal(r)
	fi.Layer, fi.Files, fi.Actor = id, []string{path}, p.Actor()
	fi.Release = func() { os.RemoveAll(dir) }
	job, err := b.Start(r.Context(), fi)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	keep = true
	href := s.baseURL(r) + "/imports/" + strconv.FormatInt(job.ID, 10)
	w.Header().Set("Location", href)
	writeJSON(w, http.StatusAccepted, map[string]any{
		"job":   publicJob(job),
		"links": []link{{Href: href, Rel: "monitor", Type: mediaJSON, Title: "the import's status and report"}},
	})
}

func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Message: fmt.Sprintf("the upload is larger than the limit of %d bytes", limit),
		Detail: map[string]int64{"limit_bytes": limit}}
}

// importOptions reads the import's options from the query string.
func (s *Server) importOptions(r *http.Request) (layers.ImportSpec, error) {
	q := r.URL.Query()
	fi := layers.ImportSpec{Title: q.Get("title")}
	if v := q.Get("srid"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fi, badParam("srid", "%q is not an EPSG code", v)
		}
		fi.Read.SRID = n
	}
	if v := q.Get("invalid"); v != "" {
		m, err := layers.ParseInvalidMode(v)
		if err != nil {
			return fi, badParam("invalid", "want repair or reject")
		}
		fi.Invalid = m
	}
	if v := q.Get("allow_outside"); v != "" {
		ok, err := strconv.ParseBool(v)
		if err != nil {
			return fi, badParam("allow_outside", "want true or false")
		}
		fi.AllowOutside = ok
	}
	fi.Read.IDField, fi.Read.Encoding, fi.Read.SourceLayer = q.Get("id_field"), q.Get("encoding"), q.Get("source_layer")
	if v := q.Get("format"); v != "" {
		switch v {
		case "geojson", "geojsonseq", "shapefile", "gpkg", "kml", "kmz", "csv":
		default:
			return fi, badParam("format", "want geojson, geojsonseq, shapefile, gpkg, kml, kmz or csv")
		}
		fi.Read.Format = v
	}
	fi.Read.MaxUncompressed = s.cfg.MaxUploadBytes * 8
	return fi, nil
}

// receive writes the upload into dir: the first file part of a multipart
// form, or the whole body. The file is named after the client's file name
// (Content-Disposition or ?filename=), else after the media type.
func receive(r *http.Request, dir string) (path string, size int64, err error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var src io.Reader = r.Body
	name := r.URL.Query().Get("filename")
	if name == "" {
		if _, p, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil {
			name = p["filename"]
		}
	}
	if ct == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return "", 0, errorf(http.StatusBadRequest, "multipart body: %v", err)
		}
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return "", 0, errorf(http.StatusBadRequest, "the multipart form holds no file part")
			}
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return "", 0, err
				}
				return "", 0, errorf(http.StatusBadRequest, "multipart body: %v", err)
			}
			if part.FileName() == "" {
				part.Close()
				continue
			}
			pct, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
			name, ct, src = part.FileName(), pct, part
			break
		}
	}
	path = filepath.Join(dir, uploadName(name, ct))
	f, err := os.Create(path)
	if err != nil {
		return "", 0, fmt.Errorf("api: upload: %w", err)
	}
	size, err = io.Copy(f, src)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("api: upload: %w", cerr)
	}
	return path, size, err
}

// publicJob is a job as anyone allowed to see it may: the error of its
// report, which names the input's faults, not the raw cause (which may
// quote the database).
func publicJob(j layers.ImportJob) layers.ImportJob {
	if strings.HasPrefix(j.Error, "interrupted:") { // the store's own words, for a job a killed process left
		return j
	}
	j.Error = ""
	if j.Report != nil {
		j.Error = j.Report.Error
	}
	if j.Status == layers.ImportFailed && j.Error == "" {
		j.Error = "the import failed"
	}
	return j
}

// jobVisible reports whether the caller may see a job of layer: the layer
// is visible to them, or (a new layer not yet, or no longer, in the
// catalog) they are an editor.
func (s *Server) jobVisible(r *http.Request, layer string) bool {
	if l, ok := s.deps.Catalog.Layer(layer); ok {
		return principal(r).CanRead(l)
	}
	return principal(r).CanWrite()
}

func (s *Server) handleImportJob(w http.ResponseWriter, r *http.Request) {
	b := s.deps.Imports
	id, err := strconv.ParseInt(chi.URLParam(r, "job"), 10, 64)
	if err != nil || id <= 0 || b == nil {
		s.writeError(w, r, errorf(http.StatusNotFound, "no such import: %s", chi.URLParam(r, "job")))
		return
	}
	j, err := b.Get(r.Context(), id)
	if errors.Is(err, layers.ErrNotFound) || (err == nil && !s.jobVisible(r, j.Layer)) {
		s.writeError(w, r, errorf(http.StatusNotFound, "no such import: %d", id))
		return
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, publicJob(j))
}

func (s *Server) handleLayerImports(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "layer")
	if _, err := s.visibleLayer(r, id); err != nil {
		s.writeError(w, r, err)
		return
	}
	b := s.deps.Imports
	if b == nil {
		s.writeError(w, r, errorf(http.StatusNotFound, "no import history on this server"))
		return
	}
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			s.writeError(w, r, badParam("limit", "want 1–1000"))
			return
		}
		limit = n
	}
	js, err := b.List(r.Context(), id, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]layers.ImportJob, len(js))
	for i, j := range js {
		out[i] = publicJob(j)
	}
	writeJSON(w, http.StatusOK, map[string]any{"layer": id, "imports": out})
}
