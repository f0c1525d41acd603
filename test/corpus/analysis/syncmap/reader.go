package syncmap

// This file matches no rule's trigger, so it is not parsed; reads of sessions here must not hide the growth finding,
// and naming sessions in a comment is not a use.
func peek(id string) bool {
	_, ok := sessions.Load(id)
	return ok
}
