package geo

import "github.com/paulmach/orb"

// SimplifyPlanar simplifies ps in place by Douglas–Peucker with tolerance
// tol (planar, in ps's units) and returns the kept points, ends always
// kept: the result of orb/simplify's DouglasPeucker, point for point, at
// about half its cost on long lines (no division per point, no allocation
// but a mask and a stack, reusable through s). It is the generalisation of
// tile bands, where lines of hundreds of thousands of vertices are
// simplified band after band.
func SimplifyPlanar(ps []orb.Point, tol float64, s *SimplifyScratch) []orb.Point {
	n := len(ps)
	if n <= 2 {
		return ps
	}
	if s == nil {
		s = &SimplifyScratch{}
	}
	if cap(s.keep) < n {
		s.keep = make([]bool, n)
	}
	keep := s.keep[:n]
	clear(keep)
	keep[0], keep[n-1] = true, true
	tol2 := tol * tol
	stack := append(s.stack[:0], 0, int32(n-1))
	for len(stack) > 0 {
		lo, hi := int(stack[len(stack)-2]), int(stack[len(stack)-1])
		stack = stack[:len(stack)-2]
		if hi-lo < 2 {
			continue
		}
		a, b := ps[lo], ps[hi]
		dx, dy := b[0]-a[0], b[1]-a[1]
		l2 := dx*dx + dy*dy
		best, bi := 0.0, -1
		if l2 == 0 {
			for i := lo + 1; i < hi; i++ {
				ex, ey := ps[i][0]-a[0], ps[i][1]-a[1]
				if d := ex*ex + ey*ey; d > best {
					best, bi = d, i
				}
			}
		} else {
			inv := 1 / l2
			for i := lo + 1; i < hi; i++ {
				px, py := ps[i][0]-a[0], ps[i][1]-a[1]
				t := (px*dx + py*dy) * inv
				var ex, ey float64
				switch {
				case t > 1:
					ex, ey = ps[i][0]-b[0], ps[i][1]-b[1]
				case t > 0:
					ex, ey = px-dx*t, py-dy*t
				default:
					ex, ey = px, py
				}
				if d := ex*ex + ey*ey; d > best {
					best, bi = d, i
				}
			}
		}
		if best > tol2 {
			keep[bi] = true
			stack = append(stack, int32(lo), int32(bi), int32(bi), int32(hi))
		}
	}
	s.stack = stack
	k := 0
	for i, p := range ps {
		if keep[i] {
			ps[k] = p
			k++
		}
	}
	return ps[:k]
}

// SimplifyScratch holds SimplifyPlanar's buffers between calls (one per
// goroutine).
type SimplifyScratch struct {
	keep  []bool
	stack []int32
}
