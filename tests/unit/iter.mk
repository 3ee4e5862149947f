# unit tests for iter
