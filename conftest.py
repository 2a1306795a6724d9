"""The harness's plugins, named in one place: the fixtures and the Chinese step vocabularies (the guide
walk-throughs' shared steps first, as the rule and batch-deduction vocabularies build on them)."""

pytest_plugins = [
    "fixtures.plugin",
    "steps.guide_steps",
    "steps.app_guide_steps",
    "steps.vocabulary",
    "steps.batch_steps",
    "steps.one_truth_steps",
    "steps.records_steps",
    "steps.tier_steps",
    "steps.others_steps",
    "steps.account_steps",
    "steps.clock_steps",
    "steps.model_steps",
    "steps.access_steps",
    "steps.receipt_steps",
    "steps.outcome_steps",
    "steps.restart_steps",
    "steps.ccb_steps",
    "steps.notice_steps",
]
