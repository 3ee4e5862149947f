# unit tests for cache
