package clientconfig

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseError is a problem found while reading an INI document. Line is
// 1-based, or 0 for interpolation problems (found when values are read).
type ParseError struct {
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// maxInterpolationDepth is configparser's MAX_INTERPOLATION_DEPTH.
const maxInterpolationDepth = 10

// defaultSection is configparser's DEFAULT section: its options are
// inherited by every other section and it is not listed itself.
const defaultSection = "DEFAULT"

// pyIsSpace is Python's str.isspace for one character.
func pyIsSpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

func pyStrip(s string) string { return strings.TrimFunc(s, pyIsSpace) }

// splitLines splits like Python's universal newlines (\n, \r\n, \r).
func splitLines(s string) []string {
	var lines []string
	for len(s) > 0 {
		i := strings.IndexAny(s, "\r\n")
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i])
		if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
		s = s[i+1:]
	}
	return lines
}

type rawSection struct {
	name   string
	keys   []string            // option names in order (lower-cased)
	values map[string][]string // option → value lines
}

func (s *rawSection) set(opt string, v []string) {
	if _, ok := s.values[opt]; !ok {
		s.keys = append(s.keys, opt)
	}
	s.values[opt] = v
}

func newSection(name string) *rawSection {
	return &rawSection{name: name, values: map[string][]string{}}
}

// parseINI reads a document like Python's configparser.ConfigParser() with
// its defaults (delimiters "=" and ":", full-line comments "#" and ";", no
// inline comments, strict duplicate checks, empty lines allowed in values,
// option names lower-cased, basic interpolation) and returns the flattened
// "section.option" keys, lower-cased, in file order, with their values.
func parseINI(data []byte) (keys []string, values map[string]string, err error) {
	if !utf8.Valid(data) {
		return nil, nil, &ParseError{Msg: "the file is not valid UTF-8"}
	}
	defaults := newSection(defaultSection)
	var sections []*rawSection
	byName := map[string]*rawSection{}
	added := map[string]bool{} // strict mode: sections and section\x00option seen in this file

	var (
		cur         *rawSection
		curName     string
		optName     string
		haveOpt     bool
		indentLevel = 0
		firstErr    *ParseError
	)
	for i, line := range splitLines(string(data)) {
		lineNo := i + 1
		isComment := false
		if st := pyStrip(line); strings.HasPrefix(st, "#") || strings.HasPrefix(st, ";") {
			isComment = true
		}
		value := pyStrip(line)
		if isComment {
			value = ""
		}
		if value == "" {
			// Empty lines (not comments) become part of a multi-line value.
			if !isComment && cur != nil && haveOpt {
				cur.values[optName] = append(cur.values[optName], "")
			}
			continue
		}
		curIndent := strings.IndexFunc(line, func(r rune) bool { return !pyIsSpace(r) })
		if curIndent < 0 {
			curIndent = 0
		} else {
			curIndent = utf8.RuneCountInString(line[:curIndent])
		}
		if cur != nil && haveOpt && curIndent > indentLevel {
			cur.values[optName] = append(cur.values[optName], value)
			continue
		}
		indentLevel = curIndent
		if strings.HasPrefix(value, "[") {
			if end := strings.LastIndex(value, "]"); end > 1 {
				name := value[1:end]
				switch {
				case name == defaultSection:
					cur = defaults
				case byName[name] != nil:
					if added[name] {
						return nil, nil, &ParseError{Line: lineNo, Msg: fmt.Sprintf("section %q already exists", name)}
					}
					cur = byName[name]
				default:
					cur = newSection(name)
					sections = append(sections, cur)
					byName[name] = cur
				}
				if name != defaultSection {
					added[name] = true
				}
				curName = name
				haveOpt = false
				continue
			}
		}
		if cur == nil {
			return nil, nil, &ParseError{Line: lineNo, Msg: "file contains no section headers (an option before the first [section] line)"}
		}
		delim := strings.IndexAny(value, "=:")
		if delim < 0 || pyStrip(value[:delim]) == "" {
			if firstErr == nil {
				firstErr = &ParseError{Line: lineNo, Msg: fmt.Sprintf("not a section header, an option (key = value) or a comment: %s", shorten(value))}
			}
			// configparser keeps reading and reports all bad lines at the end.
			haveOpt = false
			continue
		}
		opt := strings.ToLower(strings.TrimRightFunc(value[:delim], pyIsSpace))
		key := curName + "\x00" + opt
		if added[key] {
			return nil, nil, &ParseError{Line: lineNo, Msg: fmt.Sprintf("option %q in section %q already exists", opt, curName)}
		}
		added[key] = true
		cur.set(opt, []string{pyStrip(value[delim+1:])})
		optName, haveOpt = opt, true
	}
	if firstErr != nil {
		return nil, nil, firstErr
	}

	values = map[string]string{}
	joined := func(lines []string) string {
		return strings.TrimRightFunc(strings.Join(lines, "\n"), pyIsSpace)
	}
	for _, s := range sections {
		// items(section): defaults first, then the section's own options.
		raw := map[string]string{}
		var order []string
		for _, k := range defaults.keys {
			raw[k] = joined(defaults.values[k])
			order = append(order, k)
		}
		for _, k := range s.keys {
			if _, ok := raw[k]; !ok {
				order = append(order, k)
			}
			raw[k] = joined(s.values[k])
		}
		for _, opt := range order {
			v, err := interpolate(raw, s.name, opt, raw[opt])
			if err != nil {
				return nil, nil, err
			}
			key := strings.ToLower(s.name + "." + opt)
			if _, ok := values[key]; !ok {
				keys = append(keys, key)
			}
			values[key] = v
		}
	}
	return keys, values, nil
}

// interpolate applies configparser's BasicInterpolation: "%%" is "%",
// "%(name)s" is the (interpolated) value of option name in the same section
// or DEFAULT.
func interpolate(raw map[string]string, section, option, value string) (string, error) {
	var b strings.Builder
	if err := interpolateInto(&b, raw, section, option, value, 1); err != nil {
		return "", err
	}
	return b.String(), nil
}

func interpolateInto(b *strings.Builder, raw map[string]string, section, option, rest string, depth int) error {
	if depth > maxInterpolationDepth {
		return &ParseError{Msg: fmt.Sprintf("value of %q in section %q: interpolation nested deeper than %d levels (a %%(name)s loop?)", option, section, maxInterpolationDepth)}
	}
	for rest != "" {
		p := strings.IndexByte(rest, '%')
		if p < 0 {
			b.WriteString(rest)
			return nil
		}
		b.WriteString(rest[:p])
		rest = rest[p:]
		switch {
		case strings.HasPrefix(rest, "%%"):
			b.WriteByte('%')
			rest = rest[2:]
		case strings.HasPrefix(rest, "%("):
			end := strings.IndexByte(rest, ')')
			if end < 3 || end+1 >= len(rest) || rest[end+1] != 's' {
				return &ParseError{Msg: fmt.Sprintf("value of %q in section %q: bad interpolation reference %s (write %%%% for a literal %%)", option, section, shorten(rest))}
			}
			name := strings.ToLower(rest[2:end])
			rest = rest[end+2:]
			v, ok := raw[name]
			if !ok {
				return &ParseError{Msg: fmt.Sprintf("value of %q in section %q refers to the missing option %q (write %%%% for a literal %%)", option, section, name)}
			}
			if strings.Contains(v, "%") {
				if err := interpolateInto(b, raw, section, option, v, depth+1); err != nil {
					return err
				}
			} else {
				b.WriteString(v)
			}
		default:
			return &ParseError{Msg: fmt.Sprintf("value of %q in section %q: '%%' must be followed by '%%' or '(' (write %%%% for a literal %%)", option, section)}
		}
	}
	return nil
}

func shorten(s string) string {
	if utf8.RuneCountInString(s) > 60 {
		r := []rune(s)
		s = string(r[:60]) + "…"
	}
	return fmt.Sprintf("%q", s)
}
