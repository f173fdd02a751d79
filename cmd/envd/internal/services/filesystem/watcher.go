package filesystem

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"

	"github.com/fsnotify/fsnotify"
	"golang.org/x/sys/unix"

	"github.com/wrenn-dev/wrenn/cmd/envd/internal/fsinfo"
	pb "github.com/wrenn-dev/wrenn/cmd/envd/internal/gen/filesystem"
)

// watchOptions are the fields WatchDir and CreateWatcher share.
type watchOptions struct {
	recursive     bool
	includeEntry  bool
	networkMounts bool
}

// watcher turns fsnotify events under root into FilesystemEvents. fsnotify
// (inotify) is not recursive, so a recursive watcher adds a watch for every
// directory it finds, including ones created or moved in later, and drops the
// watches of directories that leave the tree.
type watcher struct {
	root string
	opts watchOptions
	fsw  *fsnotify.Watcher
	log  *slog.Logger

	events chan *pb.FilesystemEvent // closed when the watcher stops
	done   chan struct{}
	stop   sync.Once
	err    error // why it stopped; read after events is closed

	dirs    map[string]struct{} // watched subdirectories (not root); run goroutine only
	swallow map[string]struct{} // subdirs whose own IN_MOVE_SELF Rename is still due
}

// startWatcher validates root (must be a local directory unless network mounts
// are allowed) and starts watching it.
func startWatcher(root string, opts watchOptions, log *slog.Logger) (*watcher, error) {
	if err := fsinfo.RequireDir(root); err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	if !opts.networkMounts {
		network, err := onNetworkMount(root)
		if err != nil {
			return nil, fmt.Errorf("watch %s: %w", root, err)
		}
		if network {
			return nil, fmt.Errorf("%w: %s", errNetworkMount, root)
		}
	}
	fsw, err := fsnotify.NewBufferedWatcher(1024)
	if err != nil {
		return nil, fmt.Errorf("create watcher: %w", err)
	}
	w := &watcher{
		root: root, opts: opts, fsw: fsw, log: log,
		events: make(chan *pb.FilesystemEvent, 256), done: make(chan struct{}),
		dirs: map[string]struct{}{}, swallow: map[string]struct{}{},
	}
	if err := fsw.Add(root); err != nil {
		_ = fsw.Close()
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	if opts.recursive {
		if err := w.addTree(root, false); err != nil {
			_ = fsw.Close()
			return nil, fmt.Errorf("watch %s: %w", root, err)
		}
	}
	go w.run()
	return w, nil
}

// Close stops the watcher; Events is closed soon after.
func (w *watcher) Close() {
	w.stop.Do(func() { close(w.done) })
}

// run forwards events until Close or a fatal fsnotify error.
func (w *watcher) run() {
	defer close(w.events)
	defer w.fsw.Close()
	for {
		select {
		case <-w.done:
			return
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			if errors.Is(err, fsnotify.ErrEventOverflow) {
				// The kernel queue overflowed: some events are lost, but the
				// watch itself is intact, so keep going.
				w.log.Warn("watch: events lost", "path", w.root, "err", err)
				continue
			}
			w.err = fmt.Errorf("watch %s: %w", w.root, err)
			return
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if !w.handle(ev) {
				return
			}
		}
	}
}

// handle updates the watched set for ev and emits its events; false means stop.
func (w *watcher) handle(ev fsnotify.Event) bool {
	if fsinfo.IsTemp(ev.Name) {
		return true // envd's own in-progress upload; its rename into place is reported
	}
	if ev.Has(fsnotify.Rename) {
		if _, ok := w.swallow[ev.Name]; ok {
			// The moved directory's own IN_MOVE_SELF, after its parent's
			// IN_MOVED_FROM was already reported.
			delete(w.swallow, ev.Name)
			if ev.Op == fsnotify.Rename {
				return true
			}
		}
	}
	if ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename) {
		w.forget(ev.Name, ev.Has(fsnotify.Rename))
	}
	op := ev.Op
	if op.Has(fsnotify.Create) && fsinfo.RecentlyWritten(ev.Name) {
		// An upload renamed into place: report it as written, as if in place.
		op |= fsnotify.Write
	}
	if !w.emit(ev.Name, op) {
		return false
	}
	if w.opts.recursive && ev.Has(fsnotify.Create) {
		delete(w.swallow, ev.Name)
		if fi, err := lstatDir(ev.Name); err == nil && fi {
			if err := w.addTree(ev.Name, true); err != nil {
				w.log.Warn("watch: add subdirectory", "path", ev.Name, "err", err)
			}
		}
	}
	return true
}

// forget drops the watches on name and everything below it when name leaves
// the tree. It removes a renamed directory's watch at once, so that a re-add
// under the new name gets a fresh watch; if fsnotify already queued the
// directory's own IN_MOVE_SELF (a second Rename), that one is swallowed.
func (w *watcher) forget(name string, renamed bool) {
	if _, ok := w.dirs[name]; !ok {
		return
	}
	if renamed {
		w.swallow[name] = struct{}{}
	}
	prefix := name + string(filepath.Separator)
	for d := range w.dirs {
		if d == name || strings.HasPrefix(d, prefix) {
			delete(w.dirs, d)
			_ = w.fsw.Remove(d)
		}
	}
}

// addTree watches dir and every directory below it (symlinks are not
// followed). With announce, entries found inside are reported as CREATE, since
// they appeared before their directory's watch existed.
func (w *watcher) addTree(dir string, announce bool) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // unreadable or vanished below the new directory: skip
		}
		if p != dir && fsinfo.IsTemp(p) {
			return nil
		}
		if p != dir && announce && !w.emit(p, fsnotify.Create) {
			return filepath.SkipAll
		}
		if !d.IsDir() || p == w.root {
			return nil
		}
		if err := w.fsw.Add(p); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return filepath.SkipDir
			}
			return err
		}
		w.dirs[p] = struct{}{}
		return nil
	})
}

// eventTypes lists the wire event types for an fsnotify op, in E2B's order.
func eventTypes(op fsnotify.Op) []pb.EventType {
	var out []pb.EventType
	for _, m := range []struct {
		op fsnotify.Op
		t  pb.EventType
	}{
		{fsnotify.Create, pb.EventType_EVENT_TYPE_CREATE},
		{fsnotify.Rename, pb.EventType_EVENT_TYPE_RENAME},
		{fsnotify.Chmod, pb.EventType_EVENT_TYPE_CHMOD},
		{fsnotify.Write, pb.EventType_EVENT_TYPE_WRITE},
		{fsnotify.Remove, pb.EventType_EVENT_TYPE_REMOVE},
	} {
		if op.Has(m.op) {
			out = append(out, m.t)
		}
	}
	return out
}

// emit sends one event per op for path; false means the watcher is closing.
func (w *watcher) emit(path string, op fsnotify.Op) bool {
	name, err := filepath.Rel(w.root, path)
	if err != nil {
		name = path
	}
	for _, t := range eventTypes(op) {
		ev := &pb.FilesystemEvent{Name: name, Type: t}
		if w.opts.includeEntry {
			if e, err := fsinfo.Stat(path); err == nil {
				ev.Entry = e
			}
		}
		select {
		case w.events <- ev:
		case <-w.done:
			return false
		}
	}
	return true
}

func lstatDir(p string) (bool, error) {
	var st unix.Stat_t
	if err := unix.Lstat(p, &st); err != nil {
		return false, err
	}
	return st.Mode&unix.S_IFMT == unix.S_IFDIR, nil
}
