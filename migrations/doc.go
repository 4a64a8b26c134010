// Package migrations holds the database schema as numbered SQL files
// (NNNN_name.sql), embedded in the binary and applied in order by package
// postgis, each in its own transaction.
package migrations

import "embed"

// FS holds the migration files.
//
//go:embed *.sql
var FS embed.FS
