"""The harness's plugins, named in one place: the fixtures and the Chinese step vocabulary."""

pytest_plugins = ["fixtures.plugin", "steps.vocabulary", "steps.batch_steps"]
