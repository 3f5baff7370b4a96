package dynamo

import "context"

// optimistic runs attempt — read, decide, write conditioned on what was
// read — until the write commits. When attempt fails because a condition
// failed (another writer changed the item in between), it backs off and
// runs attempt again from the read, at most maxAttempts times in all, and
// then returns conflict (the caller's domain ErrConflict, wrapped with the
// operation's name). Any other error, including the caller's own refusal
// from inside attempt, is returned as it is, at once. Each write's
// condition is the whole of its safety: attempt must not leave anything
// behind that a retry would double.
func optimistic(ctx context.Context, conflict error, attempt func() error) error {
	for n := 1; ; n++ {
		err := attempt()
		if err == nil || !isConditionFailed(err) {
			return err
		}
		if n == maxAttempts {
			return conflict
		}
		if err := backoff(ctx, n); err != nil {
			return err
		}
	}
}
