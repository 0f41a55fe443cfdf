package ojson

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Encode returns v as Python's json.dump(v, indent=2) writes it: two spaces
// per level, "," at line ends, ": " between key and value, "{}" and "[]" for
// empty containers, every non-ASCII character and DEL as a lowercase \uXXXX
// escape (a surrogate pair above U+FFFF) and no trailing newline.
//
// Numbers are written the way Python re-serialises what json.load read:
// integers keep their digits ("-0" becomes "0"), other numbers become the
// shortest repr of the float64 (1.50 → 1.5, 1E5 → 100000.0, 1e400 → Infinity).
func Encode(v Value) []byte {
	e := encoder{buf: make([]byte, 0, 256)}
	e.value(v, 0)
	return e.buf
}

// EncodeObject is Encode for an object (nil encodes as {}).
func EncodeObject(o *Object) []byte { return Encode(ObjectValue(o)) }

// Memo holds the encoding of the objects at depth memoDepth of an earlier
// EncodeObjectMemo, by object pointer.
type Memo struct {
	m map[*Object][]byte
}

// memoDepth is the level whose objects a Memo keeps: the entries of a
// document (backends.<url>, <issuer>.<client_id>), not the containers
// above them, which change with every entry.
const memoDepth = 2

// EncodeObjectMemo is EncodeObject that copies the bytes of every object
// prev encoded before (the same pointer at level memoDepth) instead of
// encoding it again, and returns the memo of this encoding. It is for
// documents changed copy on write, whose objects are never changed once
// encoded: a changed object must be a new object.
func EncodeObjectMemo(o *Object, prev *Memo) ([]byte, *Memo) {
	e := encoder{buf: make([]byte, 0, 256), spans: map[*Object][2]int{}}
	if prev != nil {
		e.prev = prev.m
	}
	e.value(ObjectValue(o), 0)
	next := &Memo{m: make(map[*Object][]byte, len(e.spans))}
	for k, sp := range e.spans {
		next.m[k] = e.buf[sp[0]:sp[1]:sp[1]]
	}
	return e.buf, next
}

type encoder struct {
	buf []byte
	// With a memo: the encodings of an earlier call, and where each object
	// of this one starts and ends in buf.
	prev  map[*Object][]byte
	spans map[*Object][2]int
}

func (e *encoder) newline(level int) {
	e.buf = append(e.buf, '\n')
	for range level {
		e.buf = append(e.buf, ' ', ' ')
	}
}

func (e *encoder) value(v Value, level int) {
	switch v.kind {
	case KindNull:
		e.buf = append(e.buf, "null"...)
	case KindBool:
		if v.b {
			e.buf = append(e.buf, "true"...)
		} else {
			e.buf = append(e.buf, "false"...)
		}
	case KindNumber:
		e.buf = append(e.buf, pythonNumber(v.s)...)
	case KindString:
		e.buf = AppendQuoted(e.buf, v.s)
	case KindArray:
		if len(v.arr) == 0 {
			e.buf = append(e.buf, "[]"...)
			return
		}
		e.buf = append(e.buf, '[')
		for i, it := range v.arr {
			if i > 0 {
				e.buf = append(e.buf, ',')
			}
			e.newline(level + 1)
			e.value(it, level+1)
		}
		e.newline(level)
		e.buf = append(e.buf, ']')
	case KindObject:
		if v.obj.Len() == 0 {
			e.buf = append(e.buf, "{}"...)
			return
		}
		if e.spans != nil && level == memoDepth {
			k := v.obj
			start := len(e.buf)
			if b, ok := e.prev[k]; ok {
				e.buf = append(e.buf, b...)
			} else {
				e.object(v.obj, level)
			}
			e.spans[k] = [2]int{start, len(e.buf)}
			return
		}
		e.object(v.obj, level)
	}
}

func (e *encoder) object(o *Object, level int) {
	e.buf = append(e.buf, '{')
	for i, m := range o.members {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.newline(level + 1)
		e.buf = AppendQuoted(e.buf, m.Key)
		e.buf = append(e.buf, ':', ' ')
		e.value(m.Value, level+1)
	}
	e.newline(level)
	e.buf = append(e.buf, '}')
}

const hexDigits = "0123456789abcdef"

func appendU(b []byte, r rune) []byte {
	return append(b, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
}

// AppendQuoted appends s as a JSON string literal with Python's ensure_ascii
// escaping. Surrogate code points kept by Parse (generalized UTF-8) are
// written back as \udXXX; other invalid UTF-8 bytes become \ufffd.
func AppendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		if j := plainRun(s, i); j > i {
			b = append(b, s[i:j]...)
			i = j
			continue
		}
		c := s[i]
		if esc := shortEscapes[c]; esc != 0 {
			b = append(b, '\\', esc)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			if i+2 < len(s) && s[i] == 0xED && s[i+1] >= 0xA0 && s[i+1] <= 0xBF && s[i+2] >= 0x80 && s[i+2] <= 0xBF {
				r = rune(s[i]&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
				b = appendU(b, r)
				i += 3
				continue
			}
			b = appendU(b, utf8.RuneError)
			i++
			continue
		}
		if r > 0xFFFF {
			r -= 0x10000
			b = appendU(b, 0xD800+(r>>10))
			b = appendU(b, 0xDC00+(r&0x3FF))
		} else {
			b = appendU(b, r)
		}
		i += size
	}
	return append(b, '"')
}

// plainRun returns the end of the run of printable ASCII bytes other than
// '"' and '\\' that starts at i (they are written as they are).
func plainRun(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c < 0x20 || c >= 0x7F || c == '"' || c == '\\' {
			break
		}
		i++
	}
	return i
}

// pythonNumber returns the text Python's json.dump writes for a number that
// json.load parsed from lit.
func pythonNumber(lit string) string {
	switch lit {
	case "NaN", "Infinity", "-Infinity":
		return lit
	}
	if !strings.ContainsAny(lit, ".eE") {
		// Python int: arbitrary precision, so the digits stay; only -0 changes.
		if strings.TrimLeft(lit, "-0") == "" {
			return "0"
		}
		return lit
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil && !math.IsInf(f, 0) {
		return lit // not reachable for literals accepted by Parse or Number
	}
	return PythonFloatRepr(f)
}

// PythonFloatRepr formats f like Python's repr(float) as json.dump uses it.
func PythonFloatRepr(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	sign := ""
	if math.Signbit(f) {
		sign = "-"
		f = -f
	}
	// Shortest round-trip digits, e.g. "1.2345e+06".
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, expStr, _ := strings.Cut(s, "e")
	digits := strings.Replace(mant, ".", "", 1)
	exp, _ := strconv.Atoi(expStr)
	decpt := exp + 1 // value = 0.DIGITS × 10^decpt
	if decpt > -4 && decpt <= 16 {
		switch {
		case decpt <= 0:
			return sign + "0." + strings.Repeat("0", -decpt) + digits
		case decpt >= len(digits):
			return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
		default:
			return sign + digits[:decpt] + "." + digits[decpt:]
		}
	}
	var b strings.Builder
	b.WriteString(sign)
	b.WriteByte(digits[0])
	if len(digits) > 1 {
		b.WriteByte('.')
		b.WriteString(digits[1:])
	}
	b.WriteByte('e')
	if exp < 0 {
		b.WriteByte('-')
		exp = -exp
	} else {
		b.WriteByte('+')
	}
	if exp < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.Itoa(exp))
	return b.String()
}

// shortEscapes maps the bytes Python's json module writes as a two-character
// escape to the letter after the backslash; every other byte maps to 0.
var shortEscapes = [256]byte{'"': '"', '\\': '\\', '\n': 'n', '\r': 'r', '\t': 't', '\b': 'b', '\f': 'f'}
