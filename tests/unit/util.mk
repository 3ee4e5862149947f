# unit tests for util
