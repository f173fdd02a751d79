package filesystem

import "golang.org/x/sys/unix"

// onNetworkMount reports whether p is on NFS, SMB/CIFS or FUSE, where inotify
// sees only local changes; E2B refuses such watches unless asked.
func onNetworkMount(p string) (bool, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		return false, err
	}
	switch uint32(st.Type) {
	case unix.NFS_SUPER_MAGIC, unix.SMB_SUPER_MAGIC, unix.SMB2_SUPER_MAGIC, unix.CIFS_SUPER_MAGIC, unix.FUSE_SUPER_MAGIC:
		return true, nil
	}
	return false, nil
}
