"""The catalog file: configuration as data (YAML or JSON), validated before anything is applied."""
