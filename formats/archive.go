package formats

import (
	"archive/zip"
	"fmt"
	"io"
	"path"
	"strings"
)

// archive is a zip file opened with the protections every reader shares:
// entry names that would escape the archive (zip slip: "../", absolute
// paths, drive letters) are refused, and the sum of the entries'
// decompressed sizes may not pass a cap. The cap is enforced on the bytes
// actually produced too, since the sizes in a zip's directory can lie.
type archive struct {
	zr     *zip.Reader
	c      io.Closer // the file under zr
	format string
	limit  int64
	used   int64 // decompressed bytes handed out so far, over all entries
}

func openArchive(name, format string, limit int64) (*archive, error) {
	zr, err := zip.OpenReader(name)
	if err != nil {
		return nil, newError(format, "open zip", err)
	}
	a, err := newArchive(&zr.Reader, zr, format, limit)
	if err != nil {
		zr.Close()
		return nil, err
	}
	return a, nil
}

// newArchive checks the entries of zr (whose file c closes; nil: none)
// against the protections of archive.
func newArchive(zr *zip.Reader, c io.Closer, format string, limit int64) (*archive, error) {
	a := &archive{zr: zr, c: c, format: format, limit: limit}
	var total uint64
	for _, f := range zr.File {
		if err := checkEntryName(f.Name); err != nil {
			return nil, &Error{Format: format, Index: -1, Offset: -1, Field: f.Name, Reason: err.Error(), Err: ErrUnsafeArchive}
		}
		total += f.UncompressedSize64
		if total > uint64(limit) {
			return nil, &Error{Format: format, Index: -1, Offset: -1,
				Reason: fmt.Sprintf("entries decompress to more than the %d-byte cap", limit), Err: ErrTooLarge}
		}
	}
	return a, nil
}

// checkEntryName refuses names that could escape a folder the archive were
// extracted to. Nothing here extracts, but a name like that is a sign of a
// hostile file, and the pipeline may show names to users.
func checkEntryName(name string) error {
	n := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(n, "/") || (len(n) > 1 && n[1] == ':') {
		return fmt.Errorf("entry %q has an absolute path", name)
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return fmt.Errorf("entry %q escapes the archive (zip slip)", name)
		}
	}
	return nil
}

// files returns the regular entries, skipping folders and macOS metadata.
func (a *archive) files() []*zip.File {
	var out []*zip.File
	for _, f := range a.zr.File {
		n := f.Name
		if strings.HasSuffix(n, "/") || strings.HasPrefix(n, "__MACOSX/") || strings.HasPrefix(path.Base(n), "._") {
			continue
		}
		out = append(out, f)
	}
	return out
}

// open opens an entry for reading; the bytes it yields count against the
// cap.
func (a *archive) open(f *zip.File) (io.ReadCloser, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, newError(a.format, "open "+f.Name+" in zip", err)
	}
	return &cappedReader{rc: rc, a: a, name: f.Name, left: int64(f.UncompressedSize64)}, nil
}

func (a *archive) close() error {
	if a.c == nil {
		return nil
	}
	return a.c.Close()
}

// Close implements io.Closer (the archive's file).
func (a *archive) Close() error { return a.close() }

// cappedReader counts decompressed bytes against the archive's cap and
// refuses an entry that yields more than its directory entry declared.
type cappedReader struct {
	rc   io.ReadCloser
	a    *archive
	name string
	left int64
}

func (c *cappedReader) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	c.a.used += int64(n)
	if c.left < 0 {
		return n, &Error{Format: c.a.format, Index: -1, Offset: -1, Field: c.name,
			Reason: "entry decompresses to more than its declared size", Err: ErrTooLarge}
	}
	if c.a.used > c.a.limit {
		return n, &Error{Format: c.a.format, Index: -1, Offset: -1, Field: c.name,
			Reason: fmt.Sprintf("archive decompresses to more than the %d-byte cap", c.a.limit), Err: ErrTooLarge}
	}
	return n, err
}

func (c *cappedReader) Close() error { return c.rc.Close() }
