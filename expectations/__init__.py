"""Great Expectations suites for civstat's warehouse."""
