package formats

import (
	"html"
	"strings"
)

// descriptionTable reads attribute pairs from the HTML table that ArcGIS,
// QGIS and Google Earth exports put in a Placemark's description: every
// table row with exactly two cells gives a key (the first cell's text)
// and a value (the second's). Rows of other shapes, such as a title row
// or a row holding a nested table, are ignored. It is a tolerant scan of
// tags, not an HTML parser: descriptions are often not well-formed.
func descriptionTable(desc string) (keys, values []string) {
	if !strings.Contains(strings.ToLower(desc), "<td") {
		return nil, nil
	}
	var cells []string
	var cell strings.Builder
	inCell := false
	for i := 0; i < len(desc); {
		if desc[i] != '<' {
			j := strings.IndexByte(desc[i:], '<')
			if j < 0 {
				j = len(desc) - i
			}
			if inCell {
				cell.WriteString(desc[i : i+j])
			}
			i += j
			continue
		}
		j := strings.IndexByte(desc[i:], '>')
		if j < 0 {
			break
		}
		tag := strings.ToLower(strings.TrimSpace(desc[i+1 : i+j]))
		i += j + 1
		name := tag
		if k := strings.IndexAny(tag, " \t\r\n/"); k > 0 {
			name = tag[:k]
		}
		switch name {
		case "tr", "/tr":
			if name == "/tr" && len(cells) == 2 {
				k := cleanCell(cells[0])
				if k != "" {
					keys = append(keys, k)
					values = append(values, cleanCell(cells[1]))
				}
			}
			cells, inCell = cells[:0], false
			cell.Reset()
		case "td", "th":
			cell.Reset()
			inCell = true
		case "/td", "/th":
			if inCell {
				cells = append(cells, cell.String())
			}
			inCell = false
		case "br", "br/":
			if inCell {
				cell.WriteByte(' ')
			}
		}
	}
	return keys, values
}

// cleanCell unescapes entities and folds white space.
func cleanCell(s string) string {
	return strings.Join(strings.Fields(html.UnescapeString(s)), " ")
}
