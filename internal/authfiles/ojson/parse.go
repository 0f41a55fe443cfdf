package ojson

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"
)

// ErrSyntax is matched by every [*SyntaxError] (errors.Is).
var ErrSyntax = errors.New("invalid JSON")

// MaxDepth is the deepest nesting of arrays and objects Parse accepts.
// Python's parser stops at its recursion limit (about 1000) as well.
const MaxDepth = 1000

// SyntaxError describes why a document is not valid JSON. Line and Column
// are 1-based and count characters, like Python's JSONDecodeError; Offset is
// the byte offset. The message never quotes the document, so it cannot leak a
// secret stored in it.
type SyntaxError struct {
	Msg    string
	Line   int
	Column int
	Offset int
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// Is makes errors.Is(err, ErrSyntax) true.
func (e *SyntaxError) Is(target error) bool { return target == ErrSyntax }

type parser struct {
	data  []byte
	pos   int
	depth int
}

// Parse parses one JSON document. Anything but whitespace after the value is
// an error.
func Parse(data []byte) (Value, error) {
	p := &parser{data: data}
	if !utf8.Valid(data) {
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				p.pos = i
				break
			}
			i += size
		}
		return Value{}, p.errorf("the file is not valid UTF-8")
	}
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		return Value{}, p.errorf("unexpected UTF-8 byte order mark (BOM)")
	}
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return Value{}, err
	}
	p.skipSpace()
	if p.pos != len(p.data) {
		return Value{}, p.errorf("extra data after the JSON value")
	}
	return v, nil
}

func (p *parser) errorf(format string, args ...any) *SyntaxError {
	line, col := 1, 1
	end := min(p.pos, len(p.data))
	for i := 0; i < end; {
		r, size := utf8.DecodeRune(p.data[i:end])
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
		i += size
	}
	return &SyntaxError{Msg: fmt.Sprintf(format, args...), Line: line, Column: col, Offset: p.pos}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) hasPrefix(s string) bool {
	return len(p.data)-p.pos >= len(s) && string(p.data[p.pos:p.pos+len(s)]) == s
}

func (p *parser) value() (Value, error) {
	if p.pos >= len(p.data) {
		return Value{}, p.errorf("expecting a value")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return Value{}, err
		}
		return String(s), nil
	case p.hasPrefix("null"):
		p.pos += 4
		return Null(), nil
	case p.hasPrefix("true"):
		p.pos += 4
		return Bool(true), nil
	case p.hasPrefix("false"):
		p.pos += 5
		return Bool(false), nil
	case p.hasPrefix("NaN"):
		p.pos += 3
		return Value{kind: KindNumber, s: "NaN"}, nil
	case p.hasPrefix("Infinity"):
		p.pos += 8
		return Value{kind: KindNumber, s: "Infinity"}, nil
	case p.hasPrefix("-Infinity"):
		p.pos += 9
		return Value{kind: KindNumber, s: "-Infinity"}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		if n := scanNumber(p.data[p.pos:]); n > 0 {
			lit := string(p.data[p.pos : p.pos+n])
			p.pos += n
			return Value{kind: KindNumber, s: lit}, nil
		}
	}
	return Value{}, p.errorf("expecting a value")
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return p.errorf("nesting deeper than %d levels", MaxDepth)
	}
	return nil
}

func (p *parser) object() (Value, error) {
	if err := p.enter(); err != nil {
		return Value{}, err
	}
	defer func() { p.depth-- }()
	p.pos++ // '{'
	obj := NewObject()
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return ObjectValue(obj), nil
	}
	for {
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return Value{}, p.errorf("expecting a property name enclosed in double quotes")
		}
		key, err := p.str()
		if err != nil {
			return Value{}, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return Value{}, p.errorf("expecting ':' after a property name")
		}
		p.pos++
		p.skipSpace()
		v, err := p.value()
		if err != nil {
			return Value{}, err
		}
		obj.Set(key, v) // duplicate key: last value wins, first position kept
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == '}' {
			p.pos++
			return ObjectValue(obj), nil
		}
		if p.pos >= len(p.data) || p.data[p.pos] != ',' {
			return Value{}, p.errorf("expecting ',' or '}' in an object")
		}
		p.pos++
		p.skipSpace()
	}
}

func (p *parser) array() (Value, error) {
	if err := p.enter(); err != nil {
		return Value{}, err
	}
	defer func() { p.depth-- }()
	p.pos++ // '['
	items := []Value{}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return Array(items...), nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return Value{}, err
		}
		items = append(items, v)
		p.skipSpace()
		if p.pos < len(p.data) && p.data[p.pos] == ']' {
			p.pos++
			return Array(items...), nil
		}
		if p.pos >= len(p.data) || p.data[p.pos] != ',' {
			return Value{}, p.errorf("expecting ',' or ']' in an array")
		}
		p.pos++
		p.skipSpace()
	}
}

// str parses a string starting at the opening quote. A lone UTF-16 surrogate
// escape (which Python accepts) is kept as its 3-byte generalized UTF-8 form
// so that Encode writes the same escape back.
func (p *parser) str() (string, error) {
	start := p.pos
	p.pos++ // opening quote
	var buf []byte
	chunk := p.pos
	for {
		if p.pos >= len(p.data) {
			p.pos = start
			return "", p.errorf("unterminated string")
		}
		c := p.data[p.pos]
		switch {
		case c == '"':
			if buf == nil {
				s := string(p.data[chunk:p.pos])
				p.pos++
				return s, nil
			}
			buf = append(buf, p.data[chunk:p.pos]...)
			p.pos++
			return string(buf), nil
		case c < 0x20:
			return "", p.errorf("invalid control character in a string")
		case c == '\\':
			buf = append(buf, p.data[chunk:p.pos]...)
			if p.pos+1 >= len(p.data) {
				p.pos = start
				return "", p.errorf("unterminated string")
			}
			e := p.data[p.pos+1]
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4(p.pos + 2)
				if !ok {
					return "", p.errorf("invalid \\uXXXX escape")
				}
				p.pos += 6
				if r >= 0xD800 && r <= 0xDBFF && p.hasPrefix("\\u") {
					if r2, ok := p.hex4(p.pos + 2); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
						p.pos += 6
						buf = utf8.AppendRune(buf, 0x10000+(r-0xD800)<<10+(r2-0xDC00))
						chunk = p.pos
						continue
					}
				}
				buf = appendRuneWTF8(buf, r)
				chunk = p.pos
				continue
			default:
				return "", p.errorf("invalid \\escape")
			}
			p.pos += 2
			chunk = p.pos
		default:
			p.pos++
		}
	}
}

func (p *parser) hex4(at int) (rune, bool) {
	if at+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[at : at+4] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(d)
	}
	return r, true
}

// appendRuneWTF8 appends r as UTF-8, encoding a surrogate code point as three
// bytes (generalized UTF-8) instead of U+FFFD.
func appendRuneWTF8(b []byte, r rune) []byte {
	if r >= 0xD800 && r <= 0xDFFF {
		return append(b, byte(0xE0|r>>12), byte(0x80|(r>>6)&0x3F), byte(0x80|r&0x3F))
	}
	return utf8.AppendRune(b, r)
}

// scanNumber returns the length of the JSON number at the start of b, or 0.
func scanNumber(b []byte) int {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return 0
	}
	if i+1 < len(b) && b[i] == '.' && b[i+1] >= '0' && b[i+1] <= '9' {
		i += 2
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		j := i + 1
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		if j < len(b) && b[j] >= '0' && b[j] <= '9' {
			for j < len(b) && b[j] >= '0' && b[j] <= '9' {
				j++
			}
			i = j
		}
	}
	return i
}

func validNumber(s string) bool {
	switch s {
	case "NaN", "Infinity", "-Infinity":
		return true
	}
	return s != "" && scanNumber([]byte(s)) == len(s)
}

func formatInt(i int64) string { return strconv.FormatInt(i, 10) }
