// Package ojson is a small ordered JSON model for the openEO Python client's
// private files.
//
// Python dicts keep insertion order and json.dump writes them in that order, so
// a faithful rewrite of auth-config.json or refresh-tokens.json needs a JSON
// value type that remembers key order and keeps keys it does not know. Values
// are immutable scalars or mutable containers ([Object], arrays); numbers keep
// their literal text.
//
// [Parse] accepts exactly what Python's json.load accepts for a UTF-8 file
// (including NaN, Infinity and -Infinity, rejecting a byte order mark,
// control characters in strings and trailing data). Duplicate keys behave like
// Python: the last value wins, the key keeps its first position.
//
// [Encode] produces byte for byte what Python's json.dump(data, indent=2)
// writes (ensure_ascii, no trailing newline).
package ojson

import (
	"iter"
	"maps"
	"slices"
)

// Kind is the JSON type of a [Value].
type Kind uint8

// The JSON kinds. The zero Value is null.
const (
	KindNull Kind = iota
	KindBool
	KindNumber
	KindString
	KindArray
	KindObject
)

// String returns the kind's name as used in error messages ("an object", ...).
func (k Kind) String() string {
	switch k {
	case KindNull:
		return "null"
	case KindBool:
		return "a boolean"
	case KindNumber:
		return "a number"
	case KindString:
		return "a string"
	case KindArray:
		return "an array"
	case KindObject:
		return "an object"
	}
	return "an unknown value"
}

// Value is one JSON value. The zero Value is JSON null.
type Value struct {
	kind Kind
	b    bool
	s    string // string contents, or the literal text of a number
	arr  []Value
	obj  *Object
}

// Null returns JSON null.
func Null() Value { return Value{} }

// Bool returns a JSON boolean.
func Bool(b bool) Value { return Value{kind: KindBool, b: b} }

// String returns a JSON string.
func String(s string) Value { return Value{kind: KindString, s: s} }

// StringOrNull returns a JSON string for a non-nil pointer and null for nil.
func StringOrNull(s *string) Value {
	if s == nil {
		return Null()
	}
	return String(*s)
}

// Number returns a JSON number with the given literal text. It reports false
// when literal is not a JSON number (or NaN, Infinity, -Infinity).
func Number(literal string) (Value, bool) {
	if !validNumber(literal) {
		return Value{}, false
	}
	return Value{kind: KindNumber, s: literal}, true
}

// Int returns a JSON number for an integer.
func Int(i int64) Value {
	return Value{kind: KindNumber, s: formatInt(i)}
}

// Array returns a JSON array holding items (the slice is not copied).
func Array(items ...Value) Value {
	if items == nil {
		items = []Value{}
	}
	return Value{kind: KindArray, arr: items}
}

// ObjectValue wraps an object. A nil object becomes an empty one.
func ObjectValue(o *Object) Value {
	if o == nil {
		o = NewObject()
	}
	return Value{kind: KindObject, obj: o}
}

// Kind returns the JSON type.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is JSON null.
func (v Value) IsNull() bool { return v.kind == KindNull }

// AsString returns the contents of a JSON string.
func (v Value) AsString() (string, bool) { return v.s, v.kind == KindString }

// AsBool returns the value of a JSON boolean.
func (v Value) AsBool() (bool, bool) { return v.b, v.kind == KindBool }

// AsNumber returns the literal text of a JSON number as it was parsed.
func (v Value) AsNumber() (string, bool) { return v.s, v.kind == KindNumber }

// AsArray returns the items of a JSON array (not a copy).
func (v Value) AsArray() ([]Value, bool) { return v.arr, v.kind == KindArray }

// AsObject returns the object of a JSON object (not a copy).
func (v Value) AsObject() (*Object, bool) { return v.obj, v.kind == KindObject }

// Clone returns a deep copy.
func (v Value) Clone() Value {
	switch v.kind {
	case KindArray:
		items := make([]Value, len(v.arr))
		for i, it := range v.arr {
			items[i] = it.Clone()
		}
		return Value{kind: KindArray, arr: items}
	case KindObject:
		return Value{kind: KindObject, obj: v.obj.Clone()}
	}
	return v
}

// Equal reports whether a and b encode to the same JSON text, key order included.
func Equal(a, b Value) bool {
	if a.kind != b.kind {
		return false
	}
	switch a.kind {
	case KindNull:
		return true
	case KindBool:
		return a.b == b.b
	case KindString:
		return a.s == b.s
	case KindNumber:
		return pythonNumber(a.s) == pythonNumber(b.s)
	case KindArray:
		return slices.EqualFunc(a.arr, b.arr, Equal)
	case KindObject:
		ao, bo := a.obj, b.obj
		if ao.Len() != bo.Len() {
			return false
		}
		for i := range ao.Len() {
			if ao.members[i].Key != bo.members[i].Key || !Equal(ao.members[i].Value, bo.members[i].Value) {
				return false
			}
		}
		return true
	}
	return false
}

// Member is one key/value pair of an [Object].
type Member struct {
	Key   string
	Value Value
}

// Object is a JSON object that keeps the order of its keys. A nil *Object
// reads as an empty object; use [NewObject] before writing.
type Object struct {
	members []Member
	index   map[string]int
}

// NewObject returns an empty object.
func NewObject() *Object { return &Object{} }

// Len returns the number of keys.
func (o *Object) Len() int {
	if o == nil {
		return 0
	}
	return len(o.members)
}

// Keys returns the keys in order.
func (o *Object) Keys() []string {
	if o == nil {
		return nil
	}
	keys := make([]string, len(o.members))
	for i, m := range o.members {
		keys[i] = m.Key
	}
	return keys
}

// Members returns a copy of the key/value pairs in order. The values share
// containers with o.
func (o *Object) Members() []Member {
	if o == nil {
		return nil
	}
	return slices.Clone(o.members)
}

// All iterates over the key/value pairs in order.
func (o *Object) All() iter.Seq2[string, Value] {
	return func(yield func(string, Value) bool) {
		if o == nil {
			return
		}
		for _, m := range o.members {
			if !yield(m.Key, m.Value) {
				return
			}
		}
	}
}

func (o *Object) find(key string) int {
	if o == nil {
		return -1
	}
	if o.index != nil {
		if i, ok := o.index[key]; ok {
			return i
		}
		return -1
	}
	for i, m := range o.members {
		if m.Key == key {
			return i
		}
	}
	return -1
}

// indexThreshold is the size above which an object keeps a key index.
const indexThreshold = 16

// Get returns the value stored under key.
func (o *Object) Get(key string) (Value, bool) {
	if i := o.find(key); i >= 0 {
		return o.members[i].Value, true
	}
	return Value{}, false
}

// Has reports whether key is present.
func (o *Object) Has(key string) bool { return o.find(key) >= 0 }

// Object returns the object stored under key; ok is false when the key is
// missing or holds another kind.
func (o *Object) Object(key string) (child *Object, ok bool) {
	v, found := o.Get(key)
	if !found {
		return nil, false
	}
	return v.AsObject()
}

// Set stores v under key. An existing key keeps its position (like a Python
// dict); a new key is appended.
func (o *Object) Set(key string, v Value) {
	if i := o.find(key); i >= 0 {
		o.members[i].Value = v
		return
	}
	o.members = append(o.members, Member{Key: key, Value: v})
	if o.index != nil {
		o.index[key] = len(o.members) - 1
	} else if len(o.members) > indexThreshold {
		o.reindex()
	}
}

// SetDefaultObject returns the object under key, first storing a new empty
// object there when the key is missing (Python's dict.setdefault(key, {})).
// ok is false when the key exists with another kind; o is then unchanged.
func (o *Object) SetDefaultObject(key string) (child *Object, ok bool) {
	if v, found := o.Get(key); found {
		return v.AsObject()
	}
	child = NewObject()
	o.Set(key, ObjectValue(child))
	return child, true
}

// Delete removes key and reports whether it was present.
func (o *Object) Delete(key string) bool {
	i := o.find(key)
	if i < 0 {
		return false
	}
	o.members = slices.Delete(o.members, i, i+1)
	if o.index != nil {
		o.reindex()
	}
	return true
}

func (o *Object) reindex() {
	if len(o.members) <= indexThreshold {
		o.index = nil
		return
	}
	o.index = make(map[string]int, len(o.members))
	for i, m := range o.members {
		o.index[m.Key] = i
	}
}

// ShallowClone returns a copy of o's own keys: setting or deleting a key of
// the copy leaves o unchanged, while the nested objects and arrays are
// shared by both. A nil object clones to an empty one.
func (o *Object) ShallowClone() *Object {
	c := NewObject()
	if o == nil {
		return c
	}
	c.members = slices.Clone(o.members)
	if o.index != nil {
		c.index = maps.Clone(o.index)
	}
	return c
}

// Clone returns a deep copy; a nil object clones to an empty one.
func (o *Object) Clone() *Object {
	c := NewObject()
	if o == nil {
		return c
	}
	c.members = make([]Member, len(o.members))
	for i, m := range o.members {
		c.members[i] = Member{Key: m.Key, Value: m.Value.Clone()}
	}
	c.reindex()
	return c
}
