"""The client against stubs: respx routers, mocks and the in-process fake as a stub server."""
