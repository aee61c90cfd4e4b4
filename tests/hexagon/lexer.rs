//! Rust source split into what the checks read: the code's paths (`proto::wms::v1`,
//! `OngoingGateway`) and its string literals, each with its line; comments are dropped, since
//! a comment may name a WMS or a wire type where it explains.
//!
//! It is a lexer, not a parser: enough to tell code from comments, strings, char literals and
//! lifetimes (`'"'` opens no string, `'a` is no char), nested block comments and raw strings.

/// A path in code: identifiers joined by `::` (`proto::wms::v1::Article`), or one identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodePath {
    pub line: usize,
    pub segments: Vec<String>,
}

/// A string literal's contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringLiteral {
    pub line: usize,
    pub text: String,
}

/// What a source file holds, comments removed.
#[derive(Debug, Default)]
pub struct Lexed {
    pub paths: Vec<CodePath>,
    pub strings: Vec<StringLiteral>,
}

/// Splits `source` into its code paths and string literals.
pub fn lex(source: &str) -> Lexed {
    let chars: Vec<char> = source.chars().collect();
    let mut lexed = Lexed::default();
    let (mut i, mut line) = (0, 1);
    // The path being read, and whether a `::` was just read after it.
    let mut path: Option<CodePath> = None;
    let mut joined = false;
    let end_path = |path: &mut Option<CodePath>, lexed: &mut Lexed| {
        if let Some(done) = path.take() {
            lexed.paths.push(done);
        }
    };
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '\n' => {
                line += 1;
                i += 1;
            }
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '/' if next == Some('*') => {
                end_path(&mut path, &mut lexed);
                let mut depth = 0usize;
                while i < chars.len() {
                    match (chars[i], chars.get(i + 1).copied()) {
                        ('/', Some('*')) => {
                            depth += 1;
                            i += 2;
                        }
                        ('*', Some('/')) => {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        }
                        ('\n', _) => {
                            line += 1;
                            i += 1;
                        }
                        _ => i += 1,
                    }
                }
            }
            '"' => {
                end_path(&mut path, &mut lexed);
                let start = line;
                let mut text = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        text.push(chars[i]);
                        i += 1;
                    }
                    if let Some(&ch) = chars.get(i) {
                        if ch == '\n' {
                            line += 1;
                        }
                        text.push(ch);
                    }
                    i += 1;
                }
                i += 1;
                lexed.strings.push(StringLiteral { line: start, text });
            }
            'r' if raw_string_hashes(&chars, i).is_some() => {
                end_path(&mut path, &mut lexed);
                let hashes = raw_string_hashes(&chars, i).unwrap_or(0);
                let start = line;
                let mut text = String::new();
                i += 2 + hashes;
                while i < chars.len() {
                    if chars[i] == '"' && (1..=hashes).all(|h| chars.get(i + h) == Some(&'#')) {
                        i += 1 + hashes;
                        break;
                    }
                    if chars[i] == '\n' {
                        line += 1;
                    }
                    text.push(chars[i]);
                    i += 1;
                }
                lexed.strings.push(StringLiteral { line: start, text });
            }
            '\'' => {
                end_path(&mut path, &mut lexed);
                // A char literal ('x', '\n', '"'); otherwise a lifetime or label ('a).
                if next == Some('\\') {
                    i += 3;
                    while i < chars.len() && chars[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                    while i < chars.len() && is_ident(chars[i]) {
                        i += 1;
                    }
                }
            }
            ':' if next == Some(':') => {
                joined = path.is_some();
                i += 2;
            }
            c if is_ident_start(c) => {
                let start = i;
                while i < chars.len() && is_ident(chars[i]) {
                    i += 1;
                }
                let word: String = chars[start..i].iter().collect();
                match path.as_mut() {
                    Some(open) if joined => open.segments.push(word),
                    _ => {
                        end_path(&mut path, &mut lexed);
                        path = Some(CodePath {
                            line,
                            segments: vec![word],
                        });
                    }
                }
                joined = false;
            }
            c if c.is_whitespace() => i += 1,
            _ => {
                end_path(&mut path, &mut lexed);
                joined = false;
                i += 1;
            }
        }
    }
    end_path(&mut path, &mut lexed);
    lexed
}

/// The number of `#` of a raw string starting at `i` (`r"`, `r#"`, `br"`...), if one does.
fn raw_string_hashes(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && is_ident(chars[i - 1]) && chars[i - 1] != 'b' {
        return None;
    }
    let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
    (chars.get(i + 1 + hashes) == Some(&'"')).then_some(hashes)
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(source: &str) -> Vec<(usize, String)> {
        lex(source)
            .paths
            .into_iter()
            .map(|p| (p.line, p.segments.join("::")))
            .collect()
    }

    #[test]
    fn paths_are_joined_and_comments_dropped() {
        let source = "use proto::wms::v1::Article; // tonic here\n/* proto::x /* nested */ tonic */ let a = b;";
        assert_eq!(
            paths(source),
            [
                (1, "use".to_owned()),
                (1, "proto::wms::v1::Article".to_owned()),
                (2, "let".to_owned()),
                (2, "a".to_owned()),
                (2, "b".to_owned()),
            ]
        );
    }

    #[test]
    fn strings_chars_and_lifetimes_are_told_apart() {
        let source = "fn f<'a>(x: &'a str) -> char { '\"' }\nlet q = '\\'';\nlet s = \"a // b \\\" tonic\";\nlet r = r#\"raw \"quoted\" \"#; tonic";
        let lexed = lex(source);
        let words: Vec<String> = lexed.paths.iter().map(|p| p.segments.join("::")).collect();
        assert!(words.contains(&"tonic".to_owned()), "{words:?}");
        assert_eq!(
            words.iter().filter(|w| *w == "tonic").count(),
            1,
            "{words:?}"
        );
        let strings: Vec<(usize, &str)> = lexed
            .strings
            .iter()
            .map(|s| (s.line, s.text.as_str()))
            .collect();
        assert_eq!(strings, [(3, "a // b \\\" tonic"), (4, "raw \"quoted\" ")]);
        assert_eq!(lexed.paths.last().map(|p| p.line), Some(4));
    }
}
