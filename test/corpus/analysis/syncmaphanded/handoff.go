package syncmaphanded

// Not parsed (no trigger), but it hands the map to code that may delete from it: no growth finding.
func expose(use func(any)) { use(&registry) }
