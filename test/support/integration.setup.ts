// Integration tests share real servers: a hook that clears the graph may first have to delete
// what earlier suites left (tens of thousands of elements after the fault tests), and a busy
// server answers slowly. Jest's 5 s default then fails a test for a reason that is not its own,
// so every hook and test of this project gets two minutes unless its file asks for more.
jest.setTimeout(120_000);
