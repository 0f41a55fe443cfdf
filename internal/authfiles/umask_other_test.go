//go:build !unix

package authfiles

import "os"

func currentUmask() os.FileMode { return 0 }
