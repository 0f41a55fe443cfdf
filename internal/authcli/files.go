package authcli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

var pathsCommand = &command{
	name:    "paths",
	summary: "show the paths of the auth config and refresh token files",
	help: `Shows where auth-config.json and refresh-tokens.json are, with their permissions
and size, like the Python tool. Nothing is created (the Python tool creates the
folders). --json prints {"auth_config": {...}, "refresh_tokens": {...}} with
path, exists, mode (octal string) and size.`,
	run: func(a *app, _ context.Context, args []string) error {
		fl := a.newFlagSet("paths")
		jsonOut := fl.Bool("json", false, "print JSON")
		if _, err := a.parse(fl, args, 0, 0); err != nil {
			return err
		}
		ac, rt, err := a.files()
		if err != nil {
			return err
		}
		cfg, err := describeFile(ac.Path())
		if err != nil {
			return err
		}
		tok, err := describeFile(rt.Path())
		if err != nil {
			return err
		}
		if *jsonOut {
			return a.writeJSON(map[string]fileInfo{"auth_config": cfg, "refresh_tokens": tok})
		}
		fmt.Fprintf(a.out, "openEO auth config: %s (%s)\n", cfg.Path, cfg.describe())
		fmt.Fprintf(a.out, "openEO OpenID Connect refresh token store: %s (%s)\n", tok.Path, tok.describe())
		return nil
	},
}

type fileInfo struct {
	Path   string `json:"path"`
	Exists bool   `json:"exists"`
	Mode   string `json:"mode,omitempty"`
	Size   *int64 `json:"size,omitempty"`
}

func describeFile(path string) (fileInfo, error) {
	fi := fileInfo{Path: path}
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fi, nil
	}
	if err != nil {
		return fi, fmt.Errorf("cannot inspect %s: %w", path, err)
	}
	size := st.Size()
	fi.Exists, fi.Mode, fi.Size = true, fmt.Sprintf("%04o", st.Mode().Perm()), &size
	return fi, nil
}

// describe is the Python tool's "perms: 0o600, size: 1414B".
func (f fileInfo) describe() string {
	if !f.Exists {
		return "does not exist"
	}
	return fmt.Sprintf("perms: 0o%s, size: %dB", strings.TrimLeft(f.Mode, "0"), *f.Size)
}

// dumpHeader is Python's "### <path> ".ljust(80, "#").
func dumpHeader(path string) string {
	h := "### " + path + " "
	if n := 80 - len([]rune(h)); n > 0 {
		h += strings.Repeat("#", n)
	}
	return h
}

func dumpCommand(name, alias, what string, dump func(a *app, showSecrets bool) (path string, data []byte, err error)) *command {
	c := &command{
		name:    name,
		aliases: []string{alias},
		summary: "dump " + what + " (secrets redacted)",
		help: `Prints ` + what + ` like the Python tool: a "### <path> ####" header
line, then the JSON (indent 2). The values of client_secret, password and
refresh_token are replaced by "<redacted>" unless --show-secrets is given (a
null value stays null). --json prints only the JSON document. A missing file
is an error (exit code 4).`,
	}
	c.run = func(a *app, _ context.Context, args []string) error {
		fl := a.newFlagSet(name)
		show := fl.Bool("show-secrets", false, "show secrets instead of \"<redacted>\"")
		jsonOut := fl.Bool("json", false, "print only the JSON document")
		if _, err := a.parse(fl, args, 0, 0); err != nil {
			return err
		}
		path, data, err := dump(a, *show)
		if err != nil {
			return err
		}
		if !*jsonOut {
			fmt.Fprintln(a.out, dumpHeader(path))
		}
		_, err = fmt.Fprintf(a.out, "%s\n", data)
		return err
	}
	return c
}

var configDumpCommand = dumpCommand("config-dump", "config", "auth-config.json",
	func(a *app, show bool) (string, []byte, error) {
		ac, err := a.authConfig()
		if err != nil {
			return "", nil, err
		}
		data, err := ac.Dump(show)
		return ac.Path(), data, err
	})

var tokenDumpCommand = dumpCommand("token-dump", "tokens", "refresh-tokens.json",
	func(a *app, show bool) (string, []byte, error) {
		rt, err := a.refreshTokens()
		if err != nil {
			return "", nil, err
		}
		data, err := rt.Dump(show)
		return rt.Path(), data, err
	})

var tokenClearCommand = &command{
	name:    "token-clear",
	summary: "remove the refresh token file",
	help: `Removes refresh-tokens.json (every stored refresh token). Asks first unless
-f/--force is given; when stdin is not a terminal, -f is required. To log out
of one back-end only, use 'openeo-auth logout'.`,
	run: func(a *app, _ context.Context, args []string) error {
		fl := a.newFlagSet("token-clear")
		force := fl.Bool("force", false, "remove without asking")
		a.boolAlias(fl, force, "f", "force")
		if _, err := a.parse(fl, args, 0, 0); err != nil {
			return err
		}
		rt, err := a.refreshTokens()
		if err != nil {
			return err
		}
		path := rt.Path()
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			fmt.Fprintf(a.out, "No refresh token file at %s.\n", path)
			return nil
		}
		if !*force {
			if !a.interactive() {
				return a.needFlag("confirmation to remove "+path, "-f/--force")
			}
			answer, err := a.prompt(fmt.Sprintf("Remove refresh token file %s? 'y' or 'n': ", path))
			if err != nil {
				return err
			}
			if !strings.HasPrefix(strings.ToLower(strings.TrimSpace(answer)), "y") {
				fmt.Fprintln(a.out, "Keeping refresh token file.")
				return nil
			}
		}
		removed, err := rt.Clear()
		if err != nil {
			return err
		}
		if !removed {
			fmt.Fprintf(a.out, "No refresh token file at %s.\n", path)
			return nil
		}
		fmt.Fprintf(a.out, "Removed refresh token file %s.\n", path)
		return nil
	},
}
