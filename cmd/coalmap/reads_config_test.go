package main

import (
	"slices"
	"testing"
)

func TestURLList(t *testing.T) {
	for _, c := range []struct {
		name string
		sets []string
		want []string
	}{
		{"one", []string{"postgres://a/db"}, []string{"postgres://a/db"}},
		{"repeated", []string{"postgres://a/db", "postgres://b/db"}, []string{"postgres://a/db", "postgres://b/db"}},
		{"comma list", []string{"postgres://a/db, postgresql://b/db"}, []string{"postgres://a/db", "postgresql://b/db"}},
		{"multi-host URL", []string{"postgres://u:p@h1:5432,h2:5433/db?target_session_attrs=read-write"},
			[]string{"postgres://u:p@h1:5432,h2:5433/db?target_session_attrs=read-write"}},
		{"list of multi-host URLs", []string{"postgres://h1:1,h2:2/db,postgres://h3:3,h4:4/db"},
			[]string{"postgres://h1:1,h2:2/db", "postgres://h3:3,h4:4/db"}},
		{"empty pieces", []string{" , postgres://a/db ,"}, []string{"postgres://a/db"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var l urlList
			for _, s := range c.sets {
				if err := l.Set(s); err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(l, c.want) {
				t.Errorf("got %q, want %q", l, c.want)
			}
		})
	}
}
