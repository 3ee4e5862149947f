# unit tests for config
