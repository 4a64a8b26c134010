// Package postgis is the only package that speaks SQL. It owns the connection
// pool, the queries, COPY, LISTEN/NOTIFY, the migrations runner and the embedded
// PostgreSQL + PostGIS cluster that `coalmap serve` and the tests start when no
// database URL is given. It implements the store interfaces that packages layers,
// tiles and overlaps declare.
package postgis
