// Package authfiles reads and writes the openEO Python client's private files,
// auth-config.json and refresh-tokens.json, so that the provider, the
// openeo-auth command and the Python client can share them.
//
// Compatibility with the Python client (openeo/config.py and
// openeo/rest/auth/config.py):
//   - the same directory search (OPENEO_CONFIG_HOME, XDG_*, APPDATA, home
//     fallbacks) and file names;
//   - the same JSON bytes: json.dump(data, indent=2), key order preserved,
//     unknown keys preserved (see package ojson);
//   - the same privacy rule: a file with any group or other permission bit is
//     refused on POSIX systems, for reading and for writing;
//   - the same entry semantics (Python's deep_set): set_basic_auth,
//     set_oidc_client_config and set_refresh_token are mirrored by SetBasic,
//     SetOIDCProvider and SetRefreshToken.
//
// Deliberate differences:
//   - SetRefreshToken keeps an existing <issuer>.<client_id> entry and sets
//     only its "date" and "refresh_token", so that keys a newer client stored
//     in the entry survive (Python's set_refresh_token replaces the whole
//     entry object). A new entry has the same bytes as Python writes.
//   - A set OPENEO_CONFIG_HOME holds both files, even before the folder
//     exists. Python prefers an existing lower-priority folder to a missing
//     OPENEO_CONFIG_HOME, separately for each file, so that its two files can
//     end up in different folders.
//   - Folders this package creates get mode 0700 (Python uses the default
//     mode, 0777 minus the umask).
//
// Additions over the Python client:
//   - Writes hold an in-process mutex and a cross-process lock on a sibling
//     "<file>.lock" file, and replace the file atomically (temporary file in
//     the same directory, mode 0600, fsync, rename, directory fsync), so
//     concurrent writers never lose an update and readers never see a
//     partial file.
//   - Entry writes of one process to one file that arrive while the file is
//     being rewritten are applied together in the next rewrite (group
//     commit, commit.go); each caller gets its own outcome. Update and
//     RotateRefreshToken always run alone.
//   - A file whose size, modification time, mode and inode are unchanged is
//     not parsed again: its document comes from memory (cache.go); a file
//     changed less than two seconds before it was loaded is compared byte
//     for byte, so that a rewrite in place within the timestamp granularity
//     is still seen.
//   - A symbolic link at the file path is followed: the file it points at is
//     checked first (it must be missing or an auth file that loads), then
//     locked and replaced; no folder is created along a link, and removing a
//     link leaves the file it points at alone.
//   - A rewrite keeps the file's owner and group (a run as root leaves
//     another user's file theirs); where the process may not set them, the
//     write is refused with [ErrOwnership].
//   - A file larger than [MaxFileSize] (16 MiB) is refused for reading and
//     writing with [ErrTooLarge], and a write whose result would be larger is
//     not made.
//   - The Python client rewrites a file in place and without a lock, so a
//     reader can meet it empty, cut short or (when new) not yet private: such
//     a file is read once more after a short wait (50 ms) before it is called
//     broken.
//   - A file that does not parse, or whose known keys have an unexpected
//     shape, is reported with a [*FileError] and never rewritten.
package authfiles
