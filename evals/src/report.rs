//! The reports of a run: `summary.json`, and the human-readable `report.md` and `chart.svg` (pass@k by
//! difficulty, hand-written SVG: a bar chart needs no plotting library).

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::run::{GeneratedSample, RunDir, RunSettings, write_atomically};
use crate::score::{Calibration, SampleResult};
use crate::summary::{PassAtK, Summary, summarize};
use crate::{Error, Result};

/// `summary.json`: the run's settings and its scores.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunSummary {
    pub settings: RunSettings,
    #[serde(flatten)]
    pub summary: Summary,
    /// Mean generated tokens and generation time per sample.
    pub mean_tokens: f64,
    pub mean_generate_ms: f64,
}

/// Writes `summary.json`, `report.md` and `chart.svg`.
pub fn write_reports(
    dir: &RunDir,
    settings: &RunSettings,
    dataset: &Dataset,
    samples: &[GeneratedSample],
    results: &[SampleResult],
    calibrations: &[Calibration],
    ks: &[usize],
) -> Result<RunSummary> {
    let summary = summarize(dataset, results, ks, calibrations);
    let count = samples.len().max(1) as f64;
    let run = RunSummary {
        settings: settings.clone(),
        summary,
        mean_tokens: samples.iter().map(|s| s.tokens as f64).sum::<f64>() / count,
        mean_generate_ms: samples.iter().map(|s| s.generate_ms).sum::<f64>() / count,
    };
    let json =
        serde_json::to_string_pretty(&run).map_err(|e| Error::InvalidInput(e.to_string()))?;
    write_atomically(&dir.summary(), &json)?;
    write_atomically(&dir.report(), &markdown(&run))?;
    write_atomically(&dir.chart(), &svg_chart(&run.summary))?;
    Ok(run)
}

/// The Markdown report of a run.
pub fn markdown(run: &RunSummary) -> String {
    let s = &run.summary;
    let st = &run.settings;
    let mut md = String::new();
    let _ = writeln!(md, "# evals: {} on {}\n", st.model, s.dataset);
    let _ = writeln!(
        md,
        "{} samples over {} problems; n = {}, temperature = {}, top_p = {}, max_tokens = {}, prompts: {:?}, \
         seed = {}. Mean {:.1} generated tokens and {:.0} ms per sample.\n",
        s.samples,
        s.problems,
        st.n,
        st.temperature,
        st.top_p.map_or("off".to_owned(), |p| p.to_string()),
        st.max_tokens,
        st.style,
        st.seed,
        run.mean_tokens,
        run.mean_generate_ms,
    );
    md.push_str(&pass_table(s));
    md.push_str("\n## Verdicts\n\n| verdict | samples |\n|---|---:|\n");
    for (verdict, count) in &s.verdicts {
        let _ = writeln!(md, "| {} | {count} |", verdict.as_str());
    }
    if !s.broken_problems.is_empty() {
        md.push_str("\n## Broken problems\n\nTheir canonical solution fails their own tests:\n\n");
        for c in &s.broken_problems {
            let _ = writeln!(
                md,
                "- `{}`: {} {}",
                c.task_id,
                c.verdict.as_str(),
                c.detail.as_deref().unwrap_or("")
            );
        }
    }
    md.push_str("\n![pass@k by difficulty](chart.svg)\n");
    md
}

/// The pass@k table: one row per difficulty, then the overall row.
pub fn pass_table(s: &Summary) -> String {
    let ks: Vec<usize> = s.pass_at_k.keys().copied().collect();
    let mut md = String::from("| difficulty | problems |");
    for k in &ks {
        let _ = write!(md, " pass@{k} |");
    }
    md.push_str("\n|---|---:|");
    md.push_str(&"---:|".repeat(ks.len()));
    md.push('\n');
    let mut row = |name: &str, problems: usize, values: &PassAtK| {
        let _ = write!(md, "| {name} | {problems} |");
        for k in &ks {
            match values.get(k) {
                Some(v) => {
                    let _ = write!(md, " {:.1}% |", v * 100.0);
                }
                None => md.push_str(" - |"),
            }
        }
        md.push('\n');
    };
    for (difficulty, values) in &s.by_difficulty {
        row(
            difficulty.as_str(),
            s.problems_by_difficulty
                .get(difficulty)
                .copied()
                .unwrap_or(0),
            values,
        );
    }
    row("**all**", s.problems, &s.pass_at_k);
    md
}

/// A grouped bar chart: one group per difficulty (and "all"), one bar per k.
pub fn svg_chart(s: &Summary) -> String {
    const COLORS: &[&str] = &[
        "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2",
    ];
    let ks: Vec<usize> = s.pass_at_k.keys().copied().collect();
    let mut groups: Vec<(String, &PassAtK)> = s
        .by_difficulty
        .iter()
        .map(|(d, v)| (d.as_str().to_owned(), v))
        .collect();
    groups.push(("all".to_owned(), &s.pass_at_k));
    let (left, top, plot_h, bar_w, gap) = (50.0, 30.0, 200.0, 22.0, 30.0);
    let group_w = bar_w * ks.len().max(1) as f64 + gap;
    let width = (left + group_w * groups.len() as f64 + 20.0).max(360.0);
    let height = top + plot_h + 50.0;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(
        svg,
        r#"<text x="{left}" y="18" font-size="13">pass@k by difficulty: {}</text>"#,
        escape(&s.dataset)
    );
    for tick in 0..=4 {
        let y = top + plot_h - plot_h * tick as f64 / 4.0;
        let _ = writeln!(
            svg,
            r##"<line x1="{left}" y1="{y}" x2="{}" y2="{y}" stroke="#ddd"/><text x="{}" y="{}" text-anchor="end">{}%</text>"##,
            width - 20.0,
            left - 4.0,
            y + 4.0,
            tick * 25
        );
    }
    for (g, (name, values)) in groups.iter().enumerate() {
        let x0 = left + gap / 2.0 + group_w * g as f64;
        for (i, k) in ks.iter().enumerate() {
            let v = values.get(k).copied().unwrap_or(0.0);
            let h = plot_h * v;
            let x = x0 + bar_w * i as f64;
            let _ = writeln!(
                svg,
                r#"<rect x="{x}" y="{}" width="{}" height="{h}" fill="{}"><title>{name} pass@{k}: {:.1}%</title></rect>"#,
                top + plot_h - h,
                bar_w - 2.0,
                COLORS[i % COLORS.len()],
                v * 100.0
            );
        }
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
            x0 + bar_w * ks.len() as f64 / 2.0,
            top + plot_h + 16.0,
            escape(name)
        );
    }
    for (i, k) in ks.iter().enumerate() {
        let x = left + 70.0 * i as f64;
        let y = top + plot_h + 36.0;
        let _ = writeln!(
            svg,
            r#"<rect x="{x}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{y}">pass@{k}</text>"#,
            y - 9.0,
            COLORS[i % COLORS.len()],
            x + 14.0
        );
    }
    svg.push_str("</svg>\n");
    svg
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::problem::Difficulty;

    fn summary() -> Summary {
        let pass = |a: f64, b: f64| BTreeMap::from([(1, a), (10, b)]);
        Summary {
            dataset: "d<&>".into(),
            samples: 40,
            problems: 4,
            problems_without_samples: 0,
            pass_at_k: pass(0.5, 0.75),
            by_difficulty: BTreeMap::from([
                (Difficulty::Easy, pass(1.0, 1.0)),
                (Difficulty::Hard, pass(0.0, 0.5)),
            ]),
            problems_by_difficulty: BTreeMap::from([(Difficulty::Easy, 2), (Difficulty::Hard, 2)]),
            verdicts: BTreeMap::new(),
            broken_problems: Vec::new(),
        }
    }

    #[test]
    fn chart_bars_are_proportional_to_pass_at_k() {
        let svg = svg_chart(&summary());
        // The plot is 200 px tall: one bar per (group, k), height = 200 x value.
        let heights: Vec<&str> = svg
            .lines()
            .filter(|l| l.starts_with("<rect") && l.contains("<title>"))
            .filter_map(|l| l.split("height=\"").nth(1)?.split('"').next())
            .collect();
        assert_eq!(heights, ["200", "200", "0", "100", "100", "150"]);
        assert!(svg.contains("<title>hard pass@10: 50.0%</title>"));
        assert!(
            svg.contains("d&lt;&amp;&gt;"),
            "the dataset name is escaped"
        );
    }

    #[test]
    fn table_has_a_row_per_difficulty_and_the_overall_row() {
        expect_test::expect![[r#"
            | difficulty | problems | pass@1 | pass@10 |
            |---|---:|---:|---:|
            | easy | 2 | 100.0% | 100.0% |
            | hard | 2 | 0.0% | 50.0% |
            | **all** | 4 | 50.0% | 75.0% |
        "#]]
        .assert_eq(&pass_table(&summary()));
    }
}
