package httpapi

// ReplayedRoutes lists the POST routes whose retry after a lost reply
// answers the first run's success (replays), and NotReplayedRoutes those
// that keep 409 request_already_applied, with why.
func ReplayedRoutes() []string {
	out := make([]string, 0, len(replays))
	for p := range replays {
		out = append(out, p)
	}
	return out
}

// NotReplayedRoutes is notReplayed.
func NotReplayedRoutes() map[string]string { return notReplayed }
