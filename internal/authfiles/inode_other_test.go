//go:build !unix

package authfiles

import "os"

func inode(fi os.FileInfo) uint64 { return uint64(fi.ModTime().UnixNano()) }
