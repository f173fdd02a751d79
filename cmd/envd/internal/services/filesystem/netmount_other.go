//go:build !linux

package filesystem

// onNetworkMount is only meaningful in a Linux guest; elsewhere (a developer's
// host running envd in debug mode) every path counts as local.
func onNetworkMount(string) (bool, error) { return false, nil }
