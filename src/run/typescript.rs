//! TypeScript modules for `ffic run`: transpiled in process to JavaScript
//! with oxc (types stripped; enums, namespaces, parameter properties and
//! the rest lowered), as `deno run` does without type-checking, with a
//! source map for stack traces (`sourcemaps`). Syntax errors are reported
//! in Deno's layout: the message, the source line with the error marked,
//! and the location.

use oxc::allocator::Allocator;
use oxc::ast::ast::Decorator;
use oxc::ast_visit::Visit;
use oxc::codegen::{Codegen, CodegenOptions};
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::SourceType;
use oxc::transformer::{TransformOptions, Transformer};
use std::path::Path;

use super::transpiled::Transpiled;

/// Whether the module at `path` is TypeScript, by its extension.
pub fn is_typescript(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("ts" | "mts" | "cts" | "tsx")
    )
}

/// `source`, the TypeScript module at `path` (named `url` in errors), as
/// JavaScript with its source map; `Err` is the error to print, in Deno's
/// layout.
pub fn transpile(path: &Path, url: &str, source: &str) -> Result<Transpiled, String> {
    let allocator = Allocator::default();
    let source_type = SourceType::from_path(path).map_err(|e| format!("{url}: {e}"))?;
    let parsed = Parser::new(&allocator, source, source_type).parse();
    if let Some(error) = parsed.diagnostics.first() {
        let at = error
            .labels
            .as_ref()
            .first()
            .map_or(0, |label| label.offset() as usize);
        return Err(syntax_error(url, source, &error.message, at));
    }
    let mut program = parsed.program;
    // oxc lowers only TypeScript's legacy decorators; Deno's are TC39's,
    // which ffic does not lower yet: refused where they are, not run wrong.
    let mut finder = FirstDecorator(None);
    finder.visit_program(&program);
    if let Some(at) = finder.0 {
        let message =
            "ffic run does not transpile decorators (TC39 decorators, as Deno runs them) yet";
        return Err(located(url, source, message, at as usize));
    }
    // Enum members' values are computed here, as the enum transform needs.
    let scoping = SemanticBuilder::new()
        .with_enum_eval(true)
        .build(&program)
        .semantic
        .into_scoping();
    let options = TransformOptions::default();
    let transformed =
        Transformer::new(&allocator, path, &options).build_with_scoping(scoping, &mut program);
    if let Some(error) = transformed.diagnostics.first() {
        return Err(format!("{url}: {}", error.message));
    }
    let printed = Codegen::new()
        .with_options(CodegenOptions {
            source_map_path: Some(path.to_owned()),
            ..CodegenOptions::default()
        })
        .build(&program);
    let tokens = printed.map.as_ref().map_or_else(Vec::new, |map| {
        map.get_tokens()
            .map(|t| {
                (
                    t.get_dst_line(),
                    t.get_dst_col(),
                    t.get_src_line(),
                    t.get_src_col(),
                )
            })
            .collect()
    });
    Ok(Transpiled {
        code: printed.code,
        tokens,
    })
}

/// Deno's report of a syntax error at byte `at` of `source`.
fn syntax_error(url: &str, source: &str, message: &str, at: usize) -> String {
    located(url, source, &format!("SyntaxError: {message}"), at)
}

/// `message` in Deno's layout for an error at byte `at` of `source`.
fn located(url: &str, source: &str, message: &str, at: usize) -> String {
    let before = &source[..at.min(source.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    super::errors::located_syntax_error(message, url, source, line, column)
}

/// Finds the first decorator in a program (its byte offset).
struct FirstDecorator(Option<u32>);

impl<'a> Visit<'a> for FirstDecorator {
    fn visit_decorator(&mut self, decorator: &Decorator<'a>) {
        self.0.get_or_insert(decorator.span.start);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_go_and_typescript_only_syntax_is_lowered() {
        let js = transpile(
            Path::new("a.ts"),
            "file:///a.ts",
            "enum E { A, B = 4, C }\nconst x: number = E.C as number;\nclass P { constructor(public v: number) {} }\n",
        )
        .unwrap()
        .code;
        assert!(!js.contains(": number") && !js.contains(" as "), "{js}");
        // The enum becomes an object built at run time, each member given
        // its value (C follows B = 4) and its reverse mapping.
        for member in [
            "E[E[\"A\"] = 0] = \"A\"",
            "E[E[\"B\"] = 4] = \"B\"",
            "E[E[\"C\"] = 5] = \"C\"",
        ] {
            assert!(js.contains(member), "{member} in {js}");
        }
        assert!(js.contains("this.v = v"), "{js}");
    }

    #[test]
    fn a_syntax_error_is_located_as_deno_locates_it() {
        let error = transpile(
            Path::new("b.ts"),
            "file:///b.ts",
            "let a = 1;\nconst x: number = ;\n",
        )
        .unwrap_err();
        let (first, rest) = error.split_once('\n').unwrap();
        assert!(first.starts_with("SyntaxError: "), "{error}");
        assert_eq!(
            rest,
            "  |\n2 | const x: number = ;\n  |                   ~\n    at file:///b.ts:2:19"
        );
    }

    #[test]
    fn decorators_are_refused_where_they_are() {
        let error = transpile(
            Path::new("c.ts"),
            "file:///c.ts",
            "const d = (v: unknown) => v;\nclass C {\n  @d m() {}\n}\n",
        )
        .unwrap_err();
        assert!(
            error.starts_with("ffic run does not transpile decorators"),
            "{error}"
        );
        assert!(error.ends_with("    at file:///c.ts:3:3"), "{error}");
    }
}
