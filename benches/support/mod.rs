//! Deterministic plan-like documents for the benchmarks: the template's
//! sections with a filled Decision Validation box, scaled up by component
//! subsections with fields, nested lists, numbered steps, checklists,
//! tables or code blocks, and some non-ASCII text (box drawing, arrows, an
//! emoji) so that byte, UTF-16 and character offsets all differ.
#![allow(dead_code)]

/// A small deterministic generator (xorshift).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn upto(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "the",
    "service",
    "is",
    "rolled",
    "out",
    "behind",
    "a",
    "feature",
    "flag",
    "and",
    "traffic",
    "shifted",
    "gradually",
    "while",
    "error",
    "budgets",
    "latency",
    "saturation",
    "are",
    "watched",
    "on",
    "dashboard",
    "operators",
    "keep",
    "previous",
    "release",
    "warm",
    "so",
    "rollback",
    "routing",
    "change",
];

fn sentence(rng: &mut Rng) -> String {
    let n = 12 + rng.upto(14);
    let words: Vec<&str> = (0..n).map(|_| rng.pick(WORDS)).collect();
    let mut s = words.join(" ");
    s.push('.');
    s
}

const HEAD: &str = include_str!("../../examples/production/docs/deployment.md");

fn component(rng: &mut Rng, i: usize) -> String {
    let team = [
        "payments", "identity", "search", "catalog", "checkout", "billing",
    ][i % 6];
    let name = format!("{team}-api-{i:04}");
    let mut s = format!(
        "### Component: {name}\n\n{} {}\n\n",
        sentence(rng),
        sentence(rng)
    );
    s.push_str(&format!(
        "- Provider: {}\n",
        rng.pick(&["AWS", "GCP", "Azure", "other"])
    ));
    s.push_str(&format!(
        "- Region: {}\n",
        rng.pick(&["eu-west-1", "us-east-1", "westeurope"])
    ));
    s.push_str(&format!(
        "- Services: {team}-api, {team}-db (PostgreSQL 16), {team}-cache (Redis 7)\n"
    ));
    s.push_str(&format!(
        "- Strategy: {}\n",
        rng.pick(&[
            "Blue-Green",
            "Canary",
            "Rolling",
            "Canary (10% → 50% → 100%)"
        ])
    ));
    s.push_str(&format!(
        "- Endpoint: https://{name}.internal.example.com/healthz\n"
    ));
    s.push_str(&format!(
        "- Frequency: every {}s\n",
        rng.pick(&["10", "15", "30", "60"])
    ));
    s.push_str("- Steps:\n");
    s.push_str(&format!(
        "  - Apply migrations for `{team}` (expand phase)\n"
    ));
    s.push_str(&format!(
        "  - Roll out image `{name}:1.{}.0`{}\n",
        rng.upto(40),
        if rng.upto(5) == 0 { " 🚀" } else { "" }
    ));
    s.push_str("  - Shift traffic 5% → 25% → 100% and watch the SLO burn rate │ p99\n");
    s.push_str(&format!(
        "- Rollback: redeploy the previous tag and restore the `{team}` flag set\n\n"
    ));
    match rng.upto(3) {
        0 => s.push_str("| Check | Threshold |\n| --- | --- |\n| Error rate | < 1% |\n| p99 latency | < 500ms |\n\n"),
        1 => s.push_str(&format!("```yaml\nservice: {name}\nreplicas: {}\n```\n\n", 2 + rng.upto(20))),
        _ => s.push_str(&format!("{}\n\n", sentence(rng))),
    }
    s.push_str(&format!("1. Pre-flight: confirm the `{name}` dashboard is green\n2. Deploy to one zone and hold for 10 minutes\n3. Continue to all zones\n\n"));
    s.push_str(&format!(
        "- [ ] {name} smoke tests pass\n- [ ] {name} alerts routed\n\n"
    ));
    s
}

/// A production plan of about `lines` lines.
pub fn plan(lines: usize) -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let split = HEAD
        .find("## Deployment Strategy")
        .expect("the example has a strategy section");
    let (head, tail) = HEAD.split_at(split);
    let fixed = HEAD.lines().count();
    let mut components = Vec::new();
    let mut count = fixed;
    let mut i = 0;
    while count < lines {
        let c = component(&mut rng, i);
        count += c.lines().count();
        components.push(c);
        i += 1;
    }
    let half = components.len() / 2;
    let mut out = String::from(head);
    for c in &components[..half] {
        out.push_str(c);
    }
    out.push_str(tail.split_at(tail.find("## Monitoring").unwrap()).0);
    for c in &components[half..] {
        out.push_str(c);
    }
    out.push_str(tail.split_at(tail.find("## Monitoring").unwrap()).1);
    out
}

/// The sizes the performance goals are stated for.
pub const SIZES: &[(&str, usize)] = &[
    ("150 lines", 150),
    ("2,000 lines", 2_000),
    ("20,000 lines", 20_000),
];
