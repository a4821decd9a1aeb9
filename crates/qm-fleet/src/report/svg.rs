//! Inline SVG charts: plain shapes and text, no scripts, no external references.

use std::fmt::Write as _;

use qm_model::Rating;

use super::html::escape;
use super::{SEVERITIES, TimelinePoint, count_of, date};

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 44.0;
const PLOT_WIDTH: f64 = WIDTH - LEFT - RIGHT;
const PLOT_HEIGHT: f64 = HEIGHT - TOP - BOTTOM;

/// The colour of a severity (also used by the HTML legend).
pub(crate) fn color(rating: Rating) -> &'static str {
    match rating {
        Rating::Critical => "#8e0000",
        Rating::High => "#d84315",
        Rating::Medium => "#f2a900",
        Rating::Low => "#3f7fbf",
        Rating::None => "#9e9e9e",
        Rating::Unknown => "#5f6b73",
    }
}

/// The colour of "no findings".
pub(crate) const CLEAN: &str = "#2e7d32";

/// One bar: a label under it and segments stacked from the bottom.
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) segments: Vec<(u64, &'static str)>,
}

/// The smallest "nice" axis maximum (1, 2 or 5 times a power of ten per step, about four
/// steps) at or above `value`, with its step.
fn axis(value: u64) -> (u64, u64) {
    let target = value.div_ceil(4).max(1);
    let mut power: u64 = 1;
    loop {
        for factor in [1, 2, 5] {
            let step = power.saturating_mul(factor);
            if step >= target {
                return (value.div_ceil(step).max(1).saturating_mul(step), step);
            }
        }
        if power > u64::MAX / 10 {
            return (value.max(1), value.max(1));
        }
        power *= 10;
    }
}

fn open_svg(out: &mut String, label: &str) {
    let label = escape(label);
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{label}"><title>{label}</title>"#
    );
}

/// Horizontal grid lines and their labels, for counts up to `max`.
fn y_axis(out: &mut String, max: u64, step: u64) {
    let mut value = 0;
    while value <= max {
        let y = y_of(value, max);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{x2}" y2="{y:.1}" stroke="#d0d0d0" stroke-width="1" /><text x="{tx}" y="{ty:.1}" text-anchor="end" class="tick">{value}</text>"##,
            x2 = LEFT + PLOT_WIDTH,
            tx = LEFT - 6.0,
            ty = y + 4.0,
        );
        value += step;
    }
}

fn y_of(value: u64, max: u64) -> f64 {
    TOP + PLOT_HEIGHT - (value as f64) / (max.max(1) as f64) * PLOT_HEIGHT
}

/// Open exposures over time, stacked by severity (the most severe at the bottom), as steps:
/// each point's counts hold until the next point.
pub(crate) fn timeline_chart(points: &[TimelinePoint]) -> String {
    let mut out = String::new();
    open_svg(&mut out, "Open exposures over time, by severity");
    let (Some(first), Some(last)) = (points.first(), points.last()) else {
        let _ = write!(
            out,
            r#"<text x="{x}" y="{y}" text-anchor="middle" class="empty">No exposures recorded</text></svg>"#,
            x = WIDTH / 2.0,
            y = HEIGHT / 2.0,
        );
        return out;
    };
    let t0 = first.at.unix_seconds();
    let t1 = last.at.unix_seconds();
    let span = (t1.saturating_sub(t0)).max(1) as f64;
    let x_of = |t: i64| LEFT + (t.saturating_sub(t0)) as f64 / span * PLOT_WIDTH;
    let xs: Vec<f64> = points.iter().map(|p| x_of(p.at.unix_seconds())).collect();
    let peak = points.iter().map(|p| p.open.total()).max().unwrap_or(0);
    let (max, step) = axis(peak);
    y_axis(&mut out, max, step);

    let mut below: Vec<u64> = vec![0; points.len()];
    for rating in SEVERITIES {
        let counts: Vec<u64> = points.iter().map(|p| count_of(&p.open, rating)).collect();
        if counts.iter().all(|&c| c == 0) {
            continue;
        }
        let mut path = String::new();
        let next_x = |i: usize| xs.get(i + 1).or(xs.get(i)).copied().unwrap_or(LEFT);
        for (i, (&x, (&base, &count))) in xs.iter().zip(below.iter().zip(&counts)).enumerate() {
            let y = y_of(base + count, max);
            let command = if i == 0 { 'M' } else { 'L' };
            let _ = write!(path, "{command}{x:.1},{y:.1} L{:.1},{y:.1} ", next_x(i));
        }
        for (i, (&x, &base)) in xs.iter().zip(&below).enumerate().rev() {
            let y = y_of(base, max);
            let _ = write!(path, "L{:.1},{y:.1} L{x:.1},{y:.1} ", next_x(i));
        }
        let _ = write!(
            out,
            r#"<path d="{}Z" fill="{}" stroke="none"><title>{}</title></path>"#,
            path.trim_end(),
            color(rating),
            rating.as_str(),
        );
        for (base, count) in below.iter_mut().zip(&counts) {
            *base += count;
        }
    }

    // Date labels at up to five evenly spaced instants, each date once.
    let mut previous = String::new();
    for i in 0..5_i64 {
        let offset = (i128::from(t1) - i128::from(t0)) * i128::from(i) / 4;
        let at = i64::try_from(i128::from(t0) + offset).unwrap_or(t0);
        let Some(timestamp) = qm_model::Timestamp::from_unix_seconds(at) else {
            continue;
        };
        let label = date(timestamp);
        if label == previous {
            continue;
        }
        let anchor = match i {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        let _ = write!(
            out,
            r#"<text x="{x:.1}" y="{y}" text-anchor="{anchor}" class="tick">{label}</text>"#,
            x = x_of(at),
            y = TOP + PLOT_HEIGHT + 18.0,
            label = escape(&label),
        );
        previous = label;
    }
    axis_line(&mut out);
    out.push_str("</svg>");
    out
}

fn axis_line(out: &mut String) {
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" y1="{y}" x2="{x2}" y2="{y}" stroke="#333333" stroke-width="1" />"##,
        y = TOP + PLOT_HEIGHT,
        x2 = LEFT + PLOT_WIDTH,
    );
}

/// Vertical bars with stacked segments, each labelled below and totalled above.
pub(crate) fn bar_chart(label: &str, bars: &[Bar]) -> String {
    let mut out = String::new();
    open_svg(&mut out, label);
    let totals: Vec<u64> = bars
        .iter()
        .map(|b| b.segments.iter().map(|s| s.0).sum())
        .collect();
    let (max, step) = axis(totals.iter().copied().max().unwrap_or(0));
    y_axis(&mut out, max, step);
    let slot = PLOT_WIDTH / (bars.len().max(1) as f64);
    let width = slot * 0.64;
    for (i, (bar, &total)) in bars.iter().zip(&totals).enumerate() {
        let x = LEFT + slot * i as f64 + (slot - width) / 2.0;
        let mut base = 0;
        for &(value, fill) in &bar.segments {
            if value == 0 {
                continue;
            }
            let top = y_of(base + value, max);
            let bottom = y_of(base, max);
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{top:.1}" width="{width:.1}" height="{h:.1}" fill="{fill}"><title>{label}: {value}</title></rect>"#,
                h = bottom - top,
                label = escape(&bar.label),
            );
            base += value;
        }
        let center = x + width / 2.0;
        let _ = write!(
            out,
            r#"<text x="{center:.1}" y="{y:.1}" text-anchor="middle" class="value">{total}</text><text x="{center:.1}" y="{ly}" text-anchor="middle" class="tick">{label}</text>"#,
            y = y_of(total, max) - 4.0,
            ly = TOP + PLOT_HEIGHT + 18.0,
            label = escape(&bar.label),
        );
    }
    axis_line(&mut out);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::axis;

    #[test]
    fn axes_are_nice() {
        let cases = [
            (0, (1, 1)),
            (1, (1, 1)),
            (3, (3, 1)),
            (7, (8, 2)),
            (9, (10, 5)),
            (42, (60, 20)),
            (1234, (1500, 500)),
        ];
        for (value, expected) in cases {
            assert_eq!(axis(value), expected, "axis({value})");
        }
    }
}
