//go:build !unix

package authfiles

import "io/fs"

// owner reports no owner: on Windows a rewritten file gets the folder's
// inherited permissions.
func owner(fs.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }
