package authfiles

import "github.com/openeo-tf/terraform-provider-openeo/internal/authfiles/ojson"

// draft is the document the edits of a write change: a copy-on-write view of
// the loaded document, which the read cache shares with every reader and
// which must not change. An edit reaches the objects it changes through
// own, path and ensure, which copy each object on the way (its own keys
// only, once per draft) and link the copy into the copied parent. A group
// commit of k edits in a file of N entries so copies the top levels and the
// k entries it touches, not all N entries.
type draft struct {
	root  *ojson.Object
	owned map[*ojson.Object]bool
	all   bool // root and everything below it are private already
}

// newDraft starts a draft of loaded, which stays unchanged.
func newDraft(loaded *ojson.Object) *draft {
	root := loaded.ShallowClone()
	return &draft{root: root, owned: map[*ojson.Object]bool{root: true}}
}

// inPlace is a draft of a private document, changed in place.
func inPlace(root *ojson.Object) *draft { return &draft{root: root, all: true} }

// own returns the object at parent[key] as an object of the draft, copying
// it the first time; nil when the key is missing or holds another kind.
// parent must belong to the draft.
func (d *draft) own(parent *ojson.Object, key string) *ojson.Object {
	c, ok := parent.Object(key)
	if !ok || d.all || d.owned[c] {
		return c
	}
	cc := c.ShallowClone()
	parent.Set(key, ojson.ObjectValue(cc))
	d.owned[cc] = true
	return cc
}

// path returns the object at keys as an object of the draft; nil when a
// step is missing or not an object (nothing is copied then).
func (d *draft) path(keys ...string) *ojson.Object {
	if child(d.root, keys...) == nil {
		return nil
	}
	o := d.root
	for _, k := range keys {
		o = d.own(o, k)
	}
	return o
}

// ensure is Python's deep_set path creation (setdefault(key, {}) per
// level) on objects of the draft. It fails only at a level that exists and
// is not an object, before it has changed anything (every level below a
// missing one is new), as an edit of a group commit must.
func (d *draft) ensure(keys ...string) (*ojson.Object, error) {
	o := d.root
	for i, k := range keys {
		v, found := o.Get(k)
		if !found {
			n := ojson.NewObject()
			o.Set(k, ojson.ObjectValue(n))
			if !d.all {
				d.owned[n] = true
			}
			o = n
			continue
		}
		if _, isObj := v.AsObject(); !isObj {
			return nil, &shapeError{keyPath: formatKeyPath(keys[:i+1]), found: "not an object", want: "an object"}
		}
		o = d.own(o, k)
	}
	return o, nil
}
