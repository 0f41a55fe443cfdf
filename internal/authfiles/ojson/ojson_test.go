package ojson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func mustParse(t testing.TB, s string) Value {
	t.Helper()
	v, err := Parse([]byte(s))
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return v
}

// TestEncodeLikePython pins the exact bytes json.dump(indent=2) writes.
func TestEncodeLikePython(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{}`, `{}`},
		{`[]`, `[]`},
		{`null`, `null`},
		{`true`, `true`},
		{`"x"`, `"x"`},
		{`{"a":1}`, "{\n  \"a\": 1\n}"},
		{`{"b":{},"a":[],"c":[1,{"x":null}]}`,
			"{\n  \"b\": {},\n  \"a\": [],\n  \"c\": [\n    1,\n    {\n      \"x\": null\n    }\n  ]\n}"},
		{`["é😀\u007f\u0000/<>&"]`, "[\n  \"\\u00e9\\ud83d\\ude00\\u007f\\u0000/<>&\"\n]"},
		{`"\"\\\/\b\f\n\r\t\u001f"`, `"\"\\/\b\f\n\r\t\u001f"`},
		{`"\ud800x\udc00\ud800\u0041"`, `"\ud800x\udc00\ud800A"`},
		{`"\uD83D\uDE00"`, `"\ud83d\ude00"`},
		{`[1.50, 1E5, -0, -0.0, 1e400, -1e400, 1e-400, 12345678901234567890123, NaN, -Infinity]`,
			"[\n  1.5,\n  100000.0,\n  0,\n  -0.0,\n  Infinity,\n  -Infinity,\n  0.0,\n  12345678901234567890123,\n  NaN,\n  -Infinity\n]"},
		{` {"dup": 1, "other": 2, "dup": 3} `, "{\n  \"dup\": 3,\n  \"other\": 2\n}"},
	}
	for _, c := range cases {
		got := string(Encode(mustParse(t, c.in)))
		if got != c.want {
			t.Errorf("Encode(Parse(%q)):\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestPythonFloatRepr(t *testing.T) {
	cases := map[float64]string{
		1e16: "1e+16", 1e15: "1000000000000000.0", 0.0001: "0.0001", 0.00001: "1e-05",
		1.5e-7: "1.5e-07", 123456789012345678.0: "1.2345678901234568e+17", 5e-324: "5e-324",
		1.7976931348623157e308: "1.7976931348623157e+308", 0.1: "0.1", 100: "100.0", 1e22: "1e+22",
		0: "0.0", 123.456: "123.456", 1e100: "1e+100",
	}
	for f, want := range cases {
		if got := PythonFloatRepr(f); got != want {
			t.Errorf("PythonFloatRepr(%v) = %q, want %q", f, got, want)
		}
	}
}

// TestParseRejects covers what Python's json.load rejects, with the position
// Python reports (line, column; 1-based).
func TestParseRejects(t *testing.T) {
	cases := []struct {
		in        string
		line, col int
		msg       string
	}{
		{``, 1, 1, "expecting a value"},
		{`{"a": 1,}`, 1, 9, "property name"},
		{`[1,]`, 1, 4, "expecting a value"},
		{"{\n  \"a\": 1\n  \"b\": 2}", 3, 3, "expecting ','"},
		{`{"a" 1}`, 1, 6, "expecting ':'"},
		{`{} x`, 1, 4, "extra data"},
		{`{}{}`, 1, 3, "extra data"},
		{`"abc`, 1, 1, "unterminated string"},
		{"\"a\tb\"", 1, 3, "control character"},
		{`"\x"`, 1, 2, `invalid \escape`},
		{`"\u12G4"`, 1, 2, `\uXXXX`},
		{`01`, 1, 2, "extra data"},
		{`1.`, 1, 2, "extra data"},
		{`-`, 1, 1, "expecting a value"},
		{`tru`, 1, 1, "expecting a value"},
		{"\xef\xbb\xbf{}", 1, 1, "byte order mark"},
		{"{\"a\": \"\xff\"}", 1, 8, "not valid UTF-8"},
		{"\"\xed\xa0\x80\"", 1, 2, "not valid UTF-8"},
		{`{'a': 1}`, 1, 2, "property name"},
		{strings.Repeat("[", MaxDepth+1), 1, MaxDepth + 1, "nesting deeper"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.in))
		var se *SyntaxError
		if !errors.As(err, &se) || !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) = %v, want a SyntaxError", c.in, err)
			continue
		}
		if se.Line != c.line || se.Column != c.col || !strings.Contains(se.Msg, c.msg) {
			t.Errorf("Parse(%q) = %v, want line %d, column %d, %q", c.in, err, c.line, c.col, c.msg)
		}
	}
	// Nesting up to the limit is fine.
	deep := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	mustParse(t, deep)
}

func TestSyntaxErrorNeverQuotesContent(t *testing.T) {
	_, err := Parse([]byte(`{"password": "hunter2" x}`))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v", err)
	}
}

func TestObjectOrderAndMutation(t *testing.T) {
	o := NewObject()
	for i := range 40 {
		o.Set(fmt.Sprintf("k%02d", i), Int(int64(i)))
	}
	o.Set("k05", String("again")) // keeps position
	if !o.Delete("k00") || o.Delete("nope") {
		t.Fatal("Delete")
	}
	keys := o.Keys()
	if len(keys) != 39 || keys[0] != "k01" || keys[4] != "k05" || keys[38] != "k39" {
		t.Fatalf("keys %v", keys)
	}
	if v, _ := o.Get("k05"); !Equal(v, String("again")) {
		t.Fatalf("k05 = %v", v)
	}
	if v, ok := o.Get("k39"); !ok || !Equal(v, Int(39)) {
		t.Fatal("k39 lost after delete/reindex")
	}
	c := o.Clone()
	c.Set("k01", Null())
	if v, _ := o.Get("k01"); v.IsNull() {
		t.Fatal("Clone shares storage")
	}
	child, ok := o.SetDefaultObject("sub")
	if !ok || child == nil || !o.Has("sub") {
		t.Fatal("SetDefaultObject")
	}
	if _, ok := o.SetDefaultObject("k01"); ok {
		t.Fatal("SetDefaultObject on a number must report !ok")
	}
	var nilObj *Object
	if nilObj.Len() != 0 || nilObj.Has("x") || string(EncodeObject(nilObj)) != "{}" {
		t.Fatal("nil object must read as empty")
	}
	if _, ok := Number("1.5e3"); !ok {
		t.Fatal("Number rejected a valid literal")
	}
	if _, ok := Number("1.5.3"); ok {
		t.Fatal("Number accepted an invalid literal")
	}
}

// TestMatchesPythonJSON compares Encode(Parse(x)) with python3's
// json.dumps(json.loads(x), indent=2) for tricky and random documents, and
// checks that both accept and reject the same inputs. Skipped without python3.
func TestMatchesPythonJSON(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found; the golden tests above still pin the format")
	}
	inputs := []string{
		`{"a":1,"b":[1,2,{"c":"d"}],"e":{},"f":[],"g":null,"h":true,"i":false}`,
		`{"x":"\u00e9\ud83d\ude00 \u2028 \u0000 \\ \" / \t \ud800 \udfff"}`,
		`[1.0, 1.50, 1e5, 1E-7, -0, -0.0, 123456789012345678901234567890, 0.1, 1e16, 1e15, 2.5e-5, NaN, Infinity, -Infinity]`,
		`{"dup":1,"x":2,"dup":3}`,
		`[[[[]]],{"a":{"b":{"c":{}}}}]`,
		"{\"a\" : 1 ,\r\n\t\"b\":2}",
		`{"a": 1,}`, `[1,]`, `{} x`, `"\x"`, `01`, `"a` + "\t" + `b"`, ``, `-`, `1.`, `.5`, `+1`, `[1 2]`,
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		inputs = append(inputs, string(randomJSON(rng, 0)))
	}
	var script bytes.Buffer
	script.WriteString("import json,sys\nfor line in sys.stdin:\n  s=json.loads(line)\n  try:\n    out=json.dumps(json.loads(s),indent=2)\n  except ValueError:\n    out=None\n  print(json.dumps(out))\n")
	var stdin bytes.Buffer
	for _, in := range inputs {
		line, _ := json.Marshal(in)
		stdin.Write(line)
		stdin.WriteByte('\n')
	}
	cmd := exec.Command(py, "-c", script.String())
	cmd.Stdin = &stdin
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) != len(inputs) {
		t.Fatalf("python3 printed %d lines for %d inputs", len(lines), len(inputs))
	}
	for i, in := range inputs {
		var want *string
		if err := json.Unmarshal([]byte(lines[i]), &want); err != nil {
			t.Fatal(err)
		}
		v, err := Parse([]byte(in))
		switch {
		case want == nil && err == nil:
			t.Errorf("Python rejects %q, Parse accepts it", in)
		case want != nil && err != nil:
			t.Errorf("Python accepts %q, Parse says %v", in, err)
		case want != nil && string(Encode(v)) != *want:
			t.Errorf("input %q:\n go %q\n py %q", in, Encode(v), *want)
		}
	}
}

// randomJSON builds a random valid JSON document with odd strings and numbers.
func randomJSON(rng *rand.Rand, depth int) []byte {
	pick := rng.IntN(9)
	if depth > 3 {
		pick = rng.IntN(5)
	}
	switch pick {
	case 0:
		return []byte("null")
	case 1:
		return []byte([]string{"true", "false"}[rng.IntN(2)])
	case 2:
		nums := []string{"0", "-0", "1", "-12", "3.25", "1e3", "1E-9", "-2.50e+10", "1e300", "0.000001", "123456789.123456789", "99999999999999999999"}
		return []byte(nums[rng.IntN(len(nums))])
	case 3, 4:
		pieces := []string{"a", "é", "😀", `\n`, `\"`, `\\`, `\/`, `\u0001`, `\ud800`, `\udc00`, " ", "\u2028", `\u00ff`, "~", "\u007f"}
		var b strings.Builder
		b.WriteByte('"')
		for range rng.IntN(6) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		b.WriteByte('"')
		return []byte(b.String())
	case 5, 6:
		var b bytes.Buffer
		b.WriteByte('[')
		for i := range rng.IntN(4) {
			if i > 0 {
				b.WriteString(", ")
			}
			b.Write(randomJSON(rng, depth+1))
		}
		b.WriteByte(']')
		return b.Bytes()
	default:
		var b bytes.Buffer
		b.WriteByte('{')
		for i := range rng.IntN(5) {
			if i > 0 {
				b.WriteString(",\n ")
			}
			keys := []string{`"a"`, `"b"`, `"é"`, `"a"`, `"password"`, `""`}
			b.WriteString(keys[rng.IntN(len(keys))])
			b.WriteString(": ")
			b.Write(randomJSON(rng, depth+1))
		}
		b.WriteByte('}')
		return b.Bytes()
	}
}

// FuzzParseJSON: Parse never panics, and for accepted input
// Encode(Parse(Encode(Parse(x)))) == Encode(Parse(x)).
func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"backends": {"https://a": {"basic": {"username": "u"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Column < 1 {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		enc := Encode(v)
		v2, err := Parse(enc)
		if err != nil {
			t.Fatalf("Parse(Encode(v)) failed: %v\n%q", err, enc)
		}
		if enc2 := Encode(v2); !bytes.Equal(enc, enc2) {
			t.Fatalf("not stable:\n%q\n%q", enc, enc2)
		}
		if !Equal(v, v2) || !Equal(v, v.Clone()) {
			t.Fatal("Equal after round trip")
		}
	})
}

// TestEncodeObjectMemo: a document changed copy on write (new objects for
// what changed) encodes with the memo of the old one exactly as without.
func TestEncodeObjectMemo(t *testing.T) {
	v, err := Parse([]byte(`{"backends": {"https://a": {"basic": {"username": "a"}}, "https://b": {"basic": {"username": "b"}}}, "general": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	old, _ := v.AsObject()
	enc, memo := EncodeObjectMemo(old, nil)
	if string(enc) != string(EncodeObject(old)) {
		t.Fatalf("first encoding differs:\n%s", enc)
	}
	// Copy on write: a new root and backends, a new https://b entry, the
	// https://a entry shared.
	root := old.ShallowClone()
	backends, _ := old.Object("backends")
	backends = backends.ShallowClone()
	root.Set("backends", ObjectValue(backends))
	b := NewObject()
	b.Set("basic", ObjectValue(NewObject()))
	backends.Set("https://b", ObjectValue(b))
	backends.Set("https://c", ObjectValue(NewObject()))
	got, next := EncodeObjectMemo(root, memo)
	if want := EncodeObject(root); string(got) != string(want) {
		t.Fatalf("with the memo:\n%s\nwant:\n%s", got, want)
	}
	if again, _ := EncodeObjectMemo(root, next); string(again) != string(got) {
		t.Fatalf("with the next memo:\n%s", again)
	}
	if string(EncodeObject(old)) != string(enc) {
		t.Fatal("the old document changed")
	}
}
