package postgis

import "testing"

func TestParseLSN(t *testing.T) {
	for _, c := range []struct {
		in   string
		want uint64
		bad  bool
	}{
		{in: "0/0", want: 0},
		{in: "0/16B3748", want: 0x16B3748},
		{in: "16/B374D848", want: 0x16<<32 | 0xB374D848},
		{in: "FFFFFFFF/FFFFFFFF", want: 1<<64 - 1},
		{in: "16B3748", bad: true},
		{in: "1/G", bad: true},
		{in: "100000000/0", bad: true},
	} {
		got, err := ParseLSN(c.in)
		if (err != nil) != c.bad {
			t.Errorf("ParseLSN(%q): err %v, want error %v", c.in, err, c.bad)
			continue
		}
		if !c.bad && got != c.want {
			t.Errorf("ParseLSN(%q) = %x, want %x", c.in, got, c.want)
		}
		if !c.bad && FormatLSN(got) != c.in {
			t.Errorf("FormatLSN(%x) = %q, want %q", got, FormatLSN(got), c.in)
		}
	}
}
