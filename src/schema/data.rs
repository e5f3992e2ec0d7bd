//! The deployment plan, the status document and the Decision Validation
//! record, transcribed from the "Stage 6: Deployment" workflow document.
//! Order matters: it is the template's order, used for insertion points.

use super::*;

// ---------------------------------------------------------------- enums

pub static ENV: EnumSpec = EnumSpec {
    id: "env",
    closed: true,
    values: &[
        EnumValue {
            name: "staging",
            doc: "Pre-production environment. Checks that block production are warnings here, and the Decision Validation record is optional.",
            role: None,
        },
        EnumValue {
            name: "production",
            doc: "Live environment. Requires a Decision Validation record; template gaps are errors and every Pre-Deployment item must be checked.",
            role: None,
        },
    ],
    extras: &[],
    aliases: &[
        ("prod", "production"),
        ("prd", "production"),
        ("live", "production"),
        ("stage", "staging"),
        ("stg", "staging"),
    ],
};

static PROVIDER: EnumSpec = EnumSpec {
    id: "provider",
    closed: false,
    values: &[
        EnumValue {
            name: "AWS",
            doc: "Amazon Web Services.",
            role: None,
        },
        EnumValue {
            name: "GCP",
            doc: "Google Cloud Platform.",
            role: None,
        },
        EnumValue {
            name: "Azure",
            doc: "Microsoft Azure.",
            role: None,
        },
    ],
    extras: &[
        EnumValue {
            name: "DigitalOcean",
            doc: "DigitalOcean droplets, App Platform or Kubernetes.",
            role: None,
        },
        EnumValue {
            name: "Cloudflare",
            doc: "Cloudflare Workers and Pages.",
            role: None,
        },
        EnumValue {
            name: "Fly.io",
            doc: "Fly.io machines close to users.",
            role: None,
        },
        EnumValue {
            name: "Heroku",
            doc: "Heroku dynos.",
            role: None,
        },
        EnumValue {
            name: "Vercel",
            doc: "Vercel serverless and edge deployments.",
            role: None,
        },
        EnumValue {
            name: "On-premises",
            doc: "Your own data centre or hardware.",
            role: None,
        },
    ],
    aliases: &[
        ("amazon", "AWS"),
        ("amazon web services", "AWS"),
        ("google cloud", "GCP"),
        ("microsoft azure", "Azure"),
    ],
};

static CI_PLATFORM: EnumSpec = EnumSpec {
    id: "ci-platform",
    closed: false,
    values: &[
        EnumValue {
            name: "GitHub Actions",
            doc: "Workflows in .github/workflows, run by GitHub.",
            role: None,
        },
        EnumValue {
            name: "GitLab CI",
            doc: "Pipelines in .gitlab-ci.yml, run by GitLab runners.",
            role: None,
        },
    ],
    extras: &[
        EnumValue {
            name: "Jenkins",
            doc: "Self-hosted Jenkins pipelines (Jenkinsfile).",
            role: None,
        },
        EnumValue {
            name: "CircleCI",
            doc: "CircleCI pipelines (.circleci/config.yml).",
            role: None,
        },
        EnumValue {
            name: "Azure Pipelines",
            doc: "Azure DevOps pipelines (azure-pipelines.yml).",
            role: None,
        },
        EnumValue {
            name: "Buildkite",
            doc: "Buildkite pipelines on your own agents.",
            role: None,
        },
        EnumValue {
            name: "Bitbucket Pipelines",
            doc: "Pipelines in bitbucket-pipelines.yml.",
            role: None,
        },
    ],
    aliases: &[
        ("github", "GitHub Actions"),
        ("gh actions", "GitHub Actions"),
        ("gitlab", "GitLab CI"),
        ("gitlab ci/cd", "GitLab CI"),
    ],
};

static STAGING_STRATEGY: EnumSpec = EnumSpec {
    id: "staging-strategy",
    closed: false,
    values: &[EnumValue {
        name: "Continuous deployment",
        doc: "Every change merged to the main branch is deployed to staging automatically.",
        role: None,
    }],
    extras: &[
        EnumValue {
            name: "Manual",
            doc: "Staging is deployed by hand when someone asks for it.",
            role: None,
        },
        EnumValue {
            name: "Scheduled",
            doc: "Staging is deployed on a schedule (nightly, hourly).",
            role: None,
        },
    ],
    aliases: &[("cd", "Continuous deployment")],
};

static APPROVAL: EnumSpec = EnumSpec {
    id: "approval",
    closed: false,
    values: &[
        EnumValue {
            name: "None",
            doc: "No approval step: deployments go out as soon as the pipeline passes.",
            role: None,
        },
        EnumValue {
            name: "Auto",
            doc: "Approved automatically when the pipeline's checks pass.",
            role: None,
        },
        EnumValue {
            name: "Manual",
            doc: "A person approves each deployment.",
            role: None,
        },
    ],
    extras: &[],
    aliases: &[("automatic", "Auto")],
};

static PRODUCTION_STRATEGY: EnumSpec = EnumSpec {
    id: "strategy",
    closed: true,
    values: &[
        EnumValue {
            name: "Blue-Green",
            doc: "Run the new version (green) beside the current one (blue), then switch all traffic at once; rolling back is switching back.",
            role: None,
        },
        EnumValue {
            name: "Canary",
            doc: "Send a small share of traffic to the new version first and widen it step by step (e.g. 10% → 50% → 100%) while watching the metrics.",
            role: None,
        },
        EnumValue {
            name: "Rolling",
            doc: "Replace instances a few at a time, so old and new versions serve together until every instance runs the new one.",
            role: None,
        },
    ],
    extras: &[],
    aliases: &[
        ("blue/green", "Blue-Green"),
        ("bluegreen", "Blue-Green"),
        ("blue green", "Blue-Green"),
        ("blue_green", "Blue-Green"),
        ("rolling update", "Rolling"),
    ],
};

static LOGGING_PLATFORM: EnumSpec = EnumSpec {
    id: "logging-platform",
    closed: false,
    values: &[EnumValue {
        name: "CloudWatch",
        doc: "Amazon CloudWatch Logs.",
        role: None,
    }],
    extras: &[
        EnumValue {
            name: "Datadog",
            doc: "Datadog Log Management.",
            role: None,
        },
        EnumValue {
            name: "Grafana Loki",
            doc: "Grafana Loki, queried with LogQL.",
            role: None,
        },
        EnumValue {
            name: "Elastic",
            doc: "Elasticsearch / the Elastic Stack (ELK).",
            role: None,
        },
        EnumValue {
            name: "Splunk",
            doc: "Splunk Enterprise or Splunk Cloud.",
            role: None,
        },
        EnumValue {
            name: "Google Cloud Logging",
            doc: "Google Cloud Logging (formerly Stackdriver).",
            role: None,
        },
        EnumValue {
            name: "Azure Monitor",
            doc: "Azure Monitor Logs / Log Analytics.",
            role: None,
        },
    ],
    aliases: &[
        ("cloudwatch logs", "CloudWatch"),
        ("loki", "Grafana Loki"),
        ("elk", "Elastic"),
        ("elasticsearch", "Elastic"),
    ],
};

static DATA_CLASSIFICATION: EnumSpec = EnumSpec {
    id: "data-classification",
    closed: true,
    values: &[
        EnumValue {
            name: "PUBLIC",
            doc: "Data that may be published; disclosure does no harm.",
            role: None,
        },
        EnumValue {
            name: "INTERNAL",
            doc: "Data for the organisation only; disclosure is embarrassing but not damaging.",
            role: None,
        },
        EnumValue {
            name: "CONFIDENTIAL",
            doc: "Personal, financial or secret data; disclosure does real harm and usually must be reported.",
            role: None,
        },
    ],
    extras: &[],
    aliases: &[],
};

static RISK: EnumSpec = EnumSpec {
    id: "risk",
    closed: true,
    values: &[
        EnumValue {
            name: "Low",
            doc: "Small, well-understood change with a tested rollback.",
            role: None,
        },
        EnumValue {
            name: "Medium",
            doc: "Noticeable user impact if it fails, but contained and reversible.",
            role: None,
        },
        EnumValue {
            name: "High",
            doc: "Wide impact or hard to reverse (data migrations, auth, payments). Recommend Proceed with Caution.",
            role: Some(ValueRole::HighRisk),
        },
    ],
    extras: &[],
    aliases: &[],
};

static RECOMMENDATION: EnumSpec = EnumSpec {
    id: "recommendation",
    closed: true,
    values: &[
        EnumValue {
            name: "Proceed",
            doc: "Deploy as planned.",
            role: Some(ValueRole::Proceed),
        },
        EnumValue {
            name: "Proceed with Caution",
            doc: "Deploy with extra care: staged rollout, someone watching the dashboards, rollback ready.",
            role: Some(ValueRole::ProceedWithCaution),
        },
    ],
    extras: &[],
    aliases: &[],
};

static STATUS_VALUE: EnumSpec = EnumSpec {
    id: "status",
    closed: true,
    values: &[
        EnumValue {
            name: "pending",
            doc: "The deployment is planned or in progress.",
            role: None,
        },
        EnumValue {
            name: "deployed",
            doc: "The version is live in the environment.",
            role: Some(ValueRole::Deployed),
        },
        EnumValue {
            name: "failed",
            doc: "The deployment did not complete.",
            role: Some(ValueRole::Failed),
        },
        EnumValue {
            name: "rolledback",
            doc: "The deployment was reverted to the previous version.",
            role: Some(ValueRole::RolledBack),
        },
    ],
    extras: &[],
    aliases: &[
        ("rolled back", "rolledback"),
        ("rolled-back", "rolledback"),
        ("rollback", "rolledback"),
    ],
};

// ---------------------------------------------------------------- helpers

const fn field(
    key: &'static str,
    doc: &'static str,
    value: ValueKind,
    hint: &'static str,
) -> FieldSpec {
    FieldSpec {
        key,
        doc,
        value,
        separator: Separator::Colon,
        required: true,
        hint,
        role: None,
    }
}

impl FieldSpec {
    const fn with_role(mut self, role: Role) -> FieldSpec {
        self.role = Some(role);
        self
    }
}

impl SectionSpec {
    const fn with_role(mut self, role: SectionRole) -> SectionSpec {
        self.role = Some(role);
        self
    }
}

const fn section(
    name: &'static str,
    level: u8,
    doc: &'static str,
    body: Body,
    children: &'static [SectionSpec],
) -> SectionSpec {
    SectionSpec {
        name,
        level,
        doc,
        presence: Presence::Required,
        heading_value: None,
        body,
        children,
        role: None,
    }
}

const fn fields(fields: &'static [FieldSpec]) -> Body {
    Body::Fields {
        fields,
        open: false,
    }
}

const fn item(text: &'static str, doc: &'static str) -> ChecklistItemSpec {
    ChecklistItemSpec { text, doc }
}

// ---------------------------------------------------------------- record

static ENVIRONMENT_FIELD: FieldSpec = field(
    "Environment",
    "The environment this plan deploys to: staging or production.",
    ValueKind::Enum(&ENV),
    "",
)
.with_role(Role::Environment);

static DATE_FIELD: FieldSpec = field(
    "Date",
    "The planned deployment date, YYYY-MM-DD.",
    ValueKind::Date,
    "date",
);

pub static VALIDATION_RECORD: RecordSpec = RecordSpec {
    title: "DECISION VALIDATION: DEPLOYMENT",
    doc: "The go/no-go record a production deployment requires: what data is at stake, which threats were considered, the risk, and the recommendation.",
    groups: &[
        RecordGroup {
            label: None,
            fields: &[field(
                "Environment",
                "The environment this decision covers; must match the plan's `## Environment`.",
                ValueKind::Enum(&ENV),
                "",
            )
            .with_role(Role::Environment)],
        },
        RecordGroup {
            label: Some("Security Assessment"),
            fields: &[
                field(
                    "Data Classification",
                    "The most sensitive class of data the deployment touches.",
                    ValueKind::Enum(&DATA_CLASSIFICATION),
                    "",
                ),
                field(
                    "Threats Considered",
                    "The threats reviewed for this change (comma-separated or nested list).",
                    ValueKind::List,
                    "list",
                )
                .with_role(Role::Threats),
                field(
                    "Mitigations",
                    "How each threat considered is addressed.",
                    ValueKind::Text,
                    "how addressed",
                )
                .with_role(Role::Mitigations),
            ],
        },
        RecordGroup {
            label: Some("Deployment"),
            fields: &[
                field(
                    "Risk",
                    "How much could go wrong and how hard it would be to undo.",
                    ValueKind::Enum(&RISK),
                    "",
                )
                .with_role(Role::Risk),
                field(
                    "Rollback Strategy",
                    "The specific steps that undo this deployment.",
                    ValueKind::Text,
                    "specific steps",
                ),
                field(
                    "Monitoring",
                    "What to watch during and after the rollout.",
                    ValueKind::Text,
                    "what to watch",
                ),
            ],
        },
        RecordGroup {
            label: None,
            fields: &[
                field(
                    "Recommendation",
                    "The go decision: Proceed, or Proceed with Caution (required for High risk).",
                    ValueKind::Enum(&RECOMMENDATION),
                    "",
                )
                .with_role(Role::Recommendation),
                FieldSpec {
                    key: "Approved",
                    doc: "When the plan was approved (RFC 3339), written by the approve command.",
                    value: ValueKind::DateTime,
                    separator: Separator::Colon,
                    required: false,
                    hint: "datetime",
                    role: Some(Role::Approved),
                },
                FieldSpec {
                    key: "Approved By",
                    doc: "Who approved the plan (`Name <email>` from git), written by the approve command.",
                    value: ValueKind::Text,
                    separator: Separator::Colon,
                    required: false,
                    hint: "name <email>",
                    role: Some(Role::ApprovedBy),
                },
            ],
        },
    ],
};

// ---------------------------------------------------------------- deployment plan

pub static DEPLOYMENT: DocSpec = DocSpec {
    name: "deployment",
    source: "built-in",
    title: Some("Deployment Plan"),
    doc: "A deployment plan (`docs/deployment.md`): infrastructure, rollout strategy, monitoring, rollback and checklists for one deployment.",
    sections: &[
        SectionSpec {
            name: "Environment",
            level: 2,
            doc: "The environment this plan deploys to. Production turns template gaps into errors and requires a Decision Validation record.",
            presence: Presence::Required,
            role: None,
            heading_value: Some(&ENVIRONMENT_FIELD),
            body: Body::Container,
            children: &[],
        },
        SectionSpec {
            name: "Date",
            level: 2,
            doc: "The planned deployment date.",
            presence: Presence::Required,
            role: None,
            heading_value: Some(&DATE_FIELD),
            body: Body::Container,
            children: &[],
        },
        SectionSpec {
            name: "Decision Validation",
            level: 2,
            doc: "The go/no-go record: risk, data classification, threats and the recommendation. Required in production.",
            presence: Presence::ProductionRecord,
            role: None,
            heading_value: None,
            body: Body::Record(&VALIDATION_RECORD),
            children: &[
                SectionSpec {
                    name: "Security Assessment",
                    level: 3,
                    doc: "Data classification, threats considered and their mitigations.",
                    presence: Presence::Optional,
                    role: None,
                    heading_value: None,
                    body: Body::RecordGroup,
                    children: &[],
                },
                SectionSpec {
                    name: "Deployment",
                    level: 3,
                    doc: "Risk, rollback strategy and what to monitor.",
                    presence: Presence::Optional,
                    role: None,
                    heading_value: None,
                    body: Body::RecordGroup,
                    children: &[],
                },
            ],
        },
        section(
            "Infrastructure",
            2,
            "Where the service runs, how it is built and how it is configured.",
            Body::Container,
            &[
                section(
                    "Hosting",
                    3,
                    "The cloud provider, region and managed services used.",
                    fields(&[
                        field(
                            "Provider",
                            "The hosting provider.",
                            ValueKind::Enum(&PROVIDER),
                            "",
                        ),
                        field(
                            "Region",
                            "The region or location the service runs in (e.g. eu-west-1).",
                            ValueKind::Text,
                            "region",
                        ),
                        field(
                            "Services",
                            "The managed services used (comma-separated or nested list).",
                            ValueKind::List,
                            "list",
                        ),
                    ]),
                    &[],
                ),
                section(
                    "CI/CD Pipeline",
                    3,
                    "The pipeline that builds, tests and deploys the service.",
                    fields(&[
                        field(
                            "Platform",
                            "The CI/CD system running the pipeline.",
                            ValueKind::Enum(&CI_PLATFORM),
                            "",
                        ),
                        field(
                            "Stages",
                            "The pipeline's stages in order (e.g. build, test, deploy).",
                            ValueKind::List,
                            "build, test, deploy",
                        ),
                        field(
                            "Triggers",
                            "What starts the pipeline (e.g. main branch, tags).",
                            ValueKind::List,
                            "main branch, tags",
                        ),
                    ]),
                    &[],
                ),
                section(
                    "Environment Configuration",
                    3,
                    "Configuration variables and how secrets are managed.",
                    fields(&[
                        field(
                            "Variables",
                            "The environment variables, each with its sensitivity.",
                            ValueKind::List,
                            "list with sensitivity",
                        ),
                        field(
                            "Secrets",
                            "How secrets are managed (e.g. a secrets manager). Never a secret itself.",
                            ValueKind::Text,
                            "management method",
                        ),
                    ]),
                    &[],
                ),
            ],
        ),
        section(
            "Deployment Strategy",
            2,
            "How changes reach staging and production.",
            Body::Container,
            &[
                section(
                    "Staging",
                    3,
                    "How and when staging is deployed.",
                    fields(&[
                        field(
                            "Strategy",
                            "How changes reach staging.",
                            ValueKind::Enum(&STAGING_STRATEGY),
                            "",
                        )
                        .with_role(Role::StagingStrategy),
                        field(
                            "Frequency",
                            "When staging is deployed (e.g. On merge to main).",
                            ValueKind::Text,
                            "On merge to main",
                        ),
                        field(
                            "Approval",
                            "Who or what approves a staging deployment.",
                            ValueKind::Enum(&APPROVAL),
                            "",
                        ),
                    ]),
                    &[],
                ),
                section(
                    "Production",
                    3,
                    "How production is rolled out and rolled back.",
                    fields(&[
                        field(
                            "Strategy",
                            "The production rollout strategy.",
                            ValueKind::Enum(&PRODUCTION_STRATEGY),
                            "",
                        )
                        .with_role(Role::ProductionStrategy),
                        field(
                            "Steps",
                            "The detailed rollout, as text or a nested list.",
                            ValueKind::Text,
                            "detailed rollout",
                        ),
                        field(
                            "Rollback",
                            "How a failed production rollout is undone.",
                            ValueKind::Text,
                            "procedure",
                        ),
                    ]),
                    &[],
                ),
            ],
        ),
        section(
            "Monitoring",
            2,
            "How the deployment's health is watched.",
            Body::Container,
            &[
                section(
                    "Health Checks",
                    3,
                    "The endpoint probed to decide whether the service is healthy.",
                    fields(&[
                        field(
                            "Endpoint",
                            "The health-check URL, or an absolute path such as /healthz.",
                            ValueKind::UrlOrPath,
                            "url",
                        )
                        .with_role(Role::HealthEndpoint),
                        field(
                            "Frequency",
                            "How often the endpoint is probed (a duration: 30s, every 1 minute).",
                            ValueKind::Duration,
                            "interval",
                        ),
                        field(
                            "Conditions",
                            "What counts as passing (status code, body, latency).",
                            ValueKind::Text,
                            "pass criteria",
                        ),
                    ]),
                    &[],
                ),
                section(
                    "Logging",
                    3,
                    "Where logs go, how long they are kept and what alerts on them.",
                    fields(&[
                        field(
                            "Platform",
                            "The log platform.",
                            ValueKind::Enum(&LOGGING_PLATFORM),
                            "",
                        ),
                        field(
                            "Retention",
                            "How long logs are kept (a duration: 30 days, 1 year).",
                            ValueKind::Duration,
                            "period",
                        ),
                        field(
                            "Alerts",
                            "The log conditions that page someone.",
                            ValueKind::Text,
                            "conditions",
                        )
                        .with_role(Role::LogAlerts),
                    ]),
                    &[],
                ),
                section(
                    "Metrics",
                    3,
                    "The business and technical metrics watched, and where.",
                    fields(&[
                        field(
                            "Business",
                            "The business metrics watched (conversion, revenue, sign-ups).",
                            ValueKind::Text,
                            "key metrics",
                        ),
                        field(
                            "Technical",
                            "The technical metrics watched (latency, error rate, saturation).",
                            ValueKind::Text,
                            "performance, errors",
                        ),
                        field(
                            "Dashboards",
                            "Links to the dashboards (URLs or Markdown links).",
                            ValueKind::Links,
                            "links",
                        )
                        .with_role(Role::Dashboards),
                    ]),
                    &[],
                ),
            ],
        ),
        section(
            "Rollback Plan",
            2,
            "When to roll back and how.",
            Body::Container,
            &[
                section(
                    "Triggers",
                    3,
                    "The conditions that trigger a rollback: thresholds and any other condition as free text.",
                    Body::Fields {
                        fields: &[
                            FieldSpec {
                                key: "Error rate",
                                doc: "Roll back when the error rate exceeds this percentage (e.g. 1%).",
                                value: ValueKind::Threshold(Quantity::Percent),
                                separator: Separator::GreaterThan,
                                required: true,
                                hint: "threshold",
                                role: None,
                            },
                            FieldSpec {
                                key: "Response time",
                                doc: "Roll back when response time exceeds this duration (e.g. 500ms).",
                                value: ValueKind::Threshold(Quantity::Duration),
                                separator: Separator::GreaterThan,
                                required: true,
                                hint: "threshold",
                                role: None,
                            },
                        ],
                        open: true,
                    },
                    &[],
                ),
                section(
                    "Procedure",
                    3,
                    "The numbered steps that perform the rollback, ending with verifying it worked.",
                    Body::Steps(&["Step 1", "Step 2", "Verify rollback success"]),
                    &[],
                ),
            ],
        ),
        section(
            "Deployment Checklist",
            2,
            "What must be true before and after the deployment.",
            Body::Container,
            &[
                section(
                    "Pre-Deployment",
                    3,
                    "Checked before deploying. In production every item must be checked.",
                    Body::Checklist {
                        checked_for_production: true,
                        items: &[
                            item(
                                "All tests pass",
                                "The full test suite passes on the commit being deployed.",
                            ),
                            item(
                                "Security scan clean",
                                "Dependency and code security scans report nothing open.",
                            ),
                            item(
                                "Dependencies updated",
                                "Dependencies are current, or the exceptions are known.",
                            ),
                            item(
                                "Database migrations prepared",
                                "Migrations are written, reviewed and reversible.",
                            ),
                            item(
                                "Rollback tested",
                                "The rollback procedure was exercised, e.g. in staging.",
                            ),
                        ],
                    },
                    &[],
                ),
                section(
                    "Post-Deployment",
                    3,
                    "Checked after deploying.",
                    Body::Checklist {
                        checked_for_production: false,
                        items: &[
                            item(
                                "Health checks passing",
                                "The health-check endpoint reports healthy.",
                            ),
                            item(
                                "Monitoring active",
                                "Dashboards and alerts show the new version.",
                            ),
                            item("No errors in logs", "No new errors appear in the logs."),
                            item(
                                "Key metrics normal",
                                "Business and technical metrics are within normal ranges.",
                            ),
                        ],
                    },
                    &[],
                ),
            ],
        ),
        SectionSpec {
            name: "Exit Criteria",
            level: 2,
            doc: "When this deployment stage is done. Optional; in production every item must be checked.",
            presence: Presence::Optional,
            role: None,
            heading_value: None,
            body: Body::Checklist {
                checked_for_production: true,
                items: &[
                    item(
                        "Deployment tested (staging)",
                        "The deployment ran in staging first.",
                    ),
                    item(
                        "Monitoring active",
                        "Monitoring covers the deployed version.",
                    ),
                    item("Rollback validated", "The rollback was shown to work."),
                    item(
                        "Rollback strategy documented",
                        "The rollback strategy is written down in this plan.",
                    ),
                ],
            },
            children: &[],
        },
    ],
    skeleton: None,
};

// ---------------------------------------------------------------- status document

pub static STATUS: DocSpec = DocSpec {
    name: "status",
    source: "built-in",
    title: None,
    doc: "The deployment state (`status.md`): what is deployed where, and where it is monitored.",
    sections: &[
        section(
            "Deployment State",
            2,
            "What was last deployed, where, and how it went.",
            fields(&[
                field(
                    "Environment",
                    "The environment last deployed to.",
                    ValueKind::Enum(&ENV),
                    "",
                )
                .with_role(Role::Environment),
                field(
                    "Last Deploy",
                    "When the last deployment happened (RFC 3339, e.g. 2026-11-26T09:30:00Z).",
                    ValueKind::DateTime,
                    "datetime",
                )
                .with_role(Role::LastDeploy),
                field(
                    "Status",
                    "How the last deployment went.",
                    ValueKind::Enum(&STATUS_VALUE),
                    "",
                )
                .with_role(Role::Status),
                field(
                    "Version",
                    "The version or tag deployed.",
                    ValueKind::Text,
                    "version/tag",
                )
                .with_role(Role::Version),
            ]),
            &[],
        )
        .with_role(SectionRole::DeploymentState),
        section(
            "Monitoring State",
            2,
            "Where the deployed service is monitored.",
            fields(&[
                field(
                    "Health Check",
                    "The health-check URL.",
                    ValueKind::Url,
                    "url",
                )
                .with_role(Role::HealthCheck),
                field("Logs", "The URL of the logs.", ValueKind::Url, "url"),
                field(
                    "Alerts",
                    "The alerts that are configured.",
                    ValueKind::Text,
                    "configured items",
                )
                .with_role(Role::Alerts),
                field(
                    "Dashboard",
                    "The URL of the main dashboard.",
                    ValueKind::Url,
                    "url",
                )
                .with_role(Role::Dashboard),
            ]),
            &[],
        )
        .with_role(SectionRole::MonitoringState),
    ],
    skeleton: None,
};
