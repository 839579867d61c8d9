//! The character sets of `textencodebase64` and `textdecodebase64`, by the
//! IANA names and aliases Terraform accepts (golang.org/x/text's ianaindex:
//! its supported encodings, matched case-insensitively after trimming).
//!
//! Where Go's tables come from the WHATWG Encoding Standard, encoding_rs
//! implements the same standard, so those rows name its encodings. Go
//! takes ISO-8859-1, ISO-8859-9 and the IBM code pages from ICU's mapping
//! files instead (WHATWG reads the two ISO names as windows-1252 and
//! windows-1254); those are the byte tables below, each a base (Latin 1,
//! ASCII with a table from 0x80, or a whole EBCDIC table) and the bytes
//! where it differs (cp865 is cp437 with three others). They are the same
//! mappings as Python's `codecs`, which was used to check them.
//! Unicode's encodings and US-ASCII are written out. A name that is not here
//! is refused, as Terraform refuses it, so no call silently encodes with a
//! different character set than its name says.

/// One character set: its IANA name (the one error messages use), its
/// aliases in lower case, and how its bytes are made.
pub(super) struct Charset {
    pub(super) name: &'static str,
    aliases: &'static [&'static str],
    codec: Codec,
}

/// The byte order of a UTF-16 encoding.
#[derive(Clone, Copy)]
enum Order {
    Big,
    Little,
}

/// The characters of a one-byte character set, before its patch.
#[derive(Clone, Copy)]
enum Base {
    /// Byte n is U+00n: ISO-8859-1.
    Latin1,
    /// ASCII below 0x80, the table from there.
    High(&'static [char; 128]),
    /// The table for every byte (EBCDIC).
    Full(&'static [char; 256]),
}

impl Base {
    fn char_of(self, b: u8, patch: &[(u8, char)]) -> char {
        if let Some((_, ch)) = patch.iter().find(|(p, _)| *p == b) {
            return *ch;
        }
        match self {
            Base::Latin1 => char::from(b),
            Base::High(table) => match b.checked_sub(0x80) {
                Some(i) => table[usize::from(i)],
                None => char::from(b),
            },
            Base::Full(table) => table[usize::from(b)],
        }
    }
}

/// How a character set turns text into bytes and back.
enum Codec {
    Ascii,
    Utf8,
    /// `bom`: "UTF-16" writes a big-endian byte order mark and reads either
    /// order by its mark (big-endian without one); UTF-16BE/LE neither write
    /// nor strip one.
    Utf16 {
        order: Order,
        bom: bool,
    },
    /// One byte per character: the base's, except where `patch` says.
    Bytes {
        base: Base,
        patch: &'static [(u8, char)],
    },
    Whatwg(&'static encoding_rs::Encoding),
    /// HZ-GB-2312 (RFC 1843): ASCII, with GB2312 between `~{` and `~}` as
    /// 7-bit byte pairs; the GB2312 codes are GBK's.
    Hz,
}

/// The character set `name` names, if Terraform knows it.
pub(super) fn charset(name: &str) -> Option<&'static Charset> {
    let wanted = name.trim().to_lowercase();
    CHARSETS
        .iter()
        .find(|c| c.aliases.contains(&wanted.as_str()))
}

impl Charset {
    /// `s` in this character set; the first character it cannot hold
    /// otherwise.
    pub(super) fn encode(&self, s: &str) -> Result<Vec<u8>, char> {
        match self.codec {
            Codec::Ascii => one_byte_each(s, |ch| u8::try_from(ch).ok().filter(u8::is_ascii)),
            Codec::Utf8 => Ok(s.as_bytes().to_vec()),
            Codec::Utf16 { order, bom } => {
                let units = bom.then_some('\u{feff}').into_iter().chain(s.chars());
                let mut buf = [0u16; 2];
                Ok(units
                    .flat_map(|ch| ch.encode_utf16(&mut buf).to_vec())
                    .flat_map(|unit| match order {
                        Order::Big => unit.to_be_bytes(),
                        Order::Little => unit.to_le_bytes(),
                    })
                    .collect())
            }
            Codec::Bytes { base, patch } => one_byte_each(s, |ch| {
                (0..=u8::MAX).find(|b| base.char_of(*b, patch) == ch)
            }),
            Codec::Whatwg(e) => {
                let (bytes, _, had_errors) = e.encode(s);
                if had_errors {
                    // encoding_rs wrote a numeric character reference
                    // instead: find the first character it could not encode.
                    let mut buf = [0u8; 4];
                    let bad = s.chars().find(|ch| e.encode(ch.encode_utf8(&mut buf)).2);
                    return Err(bad.unwrap_or(char::REPLACEMENT_CHARACTER));
                }
                Ok(bytes.into_owned())
            }
            Codec::Hz => hz_encode(s),
        }
    }

    /// The text `bytes` hold in this character set, or `None` where a byte
    /// sequence is not defined in it. Go's decoders give U+FFFD for such a
    /// sequence and Terraform then refuses any U+FFFD in the result, even
    /// one the bytes spell correctly; so does this.
    pub(super) fn decode(&self, bytes: &[u8]) -> Option<String> {
        let text = match self.codec {
            Codec::Ascii => bytes
                .is_ascii()
                .then(|| bytes.iter().map(|b| char::from(*b)).collect())?,
            Codec::Utf8 => String::from_utf8(bytes.to_vec()).ok()?,
            Codec::Utf16 { order, bom } => utf16(bytes, order, bom)?,
            Codec::Bytes { base, patch } => bytes.iter().map(|b| base.char_of(*b, patch)).collect(),
            Codec::Whatwg(e) => e
                .decode_without_bom_handling_and_without_replacement(bytes)?
                .into_owned(),
            Codec::Hz => hz_decode(bytes)?,
        };
        (!text.contains(char::REPLACEMENT_CHARACTER)).then_some(text)
    }
}

/// `s` one byte per character, as `byte` gives them.
fn one_byte_each(s: &str, byte: impl Fn(char) -> Option<u8>) -> Result<Vec<u8>, char> {
    s.chars().map(|ch| byte(ch).ok_or(ch)).collect()
}

/// UTF-16 text; with `bom`, a leading byte order mark chooses the order and
/// is dropped.
fn utf16(bytes: &[u8], order: Order, bom: bool) -> Option<String> {
    let (order, body) = match bytes {
        [0xfe, 0xff, rest @ ..] if bom => (Order::Big, rest),
        [0xff, 0xfe, rest @ ..] if bom => (Order::Little, rest),
        _ => (order, bytes),
    };
    if body.len() % 2 != 0 {
        return None;
    }
    let units = body.chunks_exact(2).map(|p| match order {
        Order::Big => u16::from_be_bytes([p[0], p[1]]),
        Order::Little => u16::from_le_bytes([p[0], p[1]]),
    });
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .ok()
}

/// HZ as Go writes it: `~` doubled, `~{` before a run of GB2312 and `~}`
/// before the ASCII after it (none at the end).
fn hz_encode(s: &str) -> Result<Vec<u8>, char> {
    let mut out = Vec::with_capacity(s.len());
    let mut in_gb = false;
    let mut buf = [0u8; 4];
    for ch in s.chars() {
        let ascii = ch.encode_utf8(&mut buf).as_bytes();
        match *ascii {
            [b'~'] => out.extend_from_slice(b"~~"),
            [b] if b.is_ascii() => {
                if std::mem::take(&mut in_gb) {
                    out.extend_from_slice(b"~}");
                }
                out.push(b);
            }
            _ => {
                let pair = gb2312_pair(ch).ok_or(ch)?;
                if !std::mem::replace(&mut in_gb, true) {
                    out.extend_from_slice(b"~{");
                }
                out.extend_from_slice(&pair);
            }
        }
    }
    Ok(out)
}

/// `ch` as HZ's 7-bit pair: its GBK bytes less 0x80, when both lie in
/// GB2312's rows (A1..FD, A1..FE).
fn gb2312_pair(ch: char) -> Option<[u8; 2]> {
    let mut buf = [0u8; 4];
    let (gbk, _, had_errors) = encoding_rs::GBK.encode(ch.encode_utf8(&mut buf));
    match *gbk {
        [lead @ 0xa1..=0xfd, trail @ 0xa1..=0xfe] if !had_errors => {
            Some([lead - 0x80, trail - 0x80])
        }
        _ => None,
    }
}

/// HZ text: `~~` is `~`, `~` and a newline is nothing, `~{` and `~}` switch
/// between ASCII and GB2312 byte pairs; anything else is undefined.
fn hz_decode(bytes: &[u8]) -> Option<String> {
    let mut out = String::with_capacity(bytes.len());
    let mut in_gb = false;
    let mut rest = bytes;
    while let [c0, tail @ ..] = rest {
        rest = match (*c0, tail) {
            (b'~', [b'{', more @ ..]) => {
                in_gb = true;
                more
            }
            (b'~', [b'}', more @ ..]) => {
                in_gb = false;
                more
            }
            (b'~', [b'~', more @ ..]) => {
                out.push('~');
                more
            }
            (b'~', [b'\n', more @ ..]) => more,
            (b'~', _) => return None,
            (c0, _) if !in_gb && c0.is_ascii() => {
                out.push(char::from(c0));
                tail
            }
            (c0 @ 0x21..=0x7d, [c1 @ 0x21..=0x7e, more @ ..]) if in_gb => {
                let gbk = [c0 + 0x80, c1 + 0x80];
                out.push_str(
                    &encoding_rs::GBK.decode_without_bom_handling_and_without_replacement(&gbk)?,
                );
                more
            }
            _ => return None,
        };
    }
    Some(out)
}

/// Every character set, in the order of Go's index: name, aliases, codec.
#[rustfmt::skip]
static CHARSETS: &[Charset] = &[
    set("US-ASCII", &["us-ascii", "iso-ir-6", "ansi_x3.4-1968", "ansi_x3.4-1986", "iso_646.irv:1991", "iso646-us", "us", "ibm367", "cp367", "csascii",], Codec::Ascii),
    set("UTF-8", &["utf-8", "csutf8"], Codec::Utf8),
    set("UTF-16", &["utf-16", "csutf16"], Codec::Utf16 { order: Order::Big, bom: true, }),
    set("UTF-16BE", &["utf-16be", "csutf16be"], Codec::Utf16 { order: Order::Big, bom: false, }),
    set("UTF-16LE", &["utf-16le", "csutf16le"], Codec::Utf16 { order: Order::Little, bom: false, }),
    set("IBM037", &["ibm037", "cp037", "ebcdic-cp-us", "ebcdic-cp-ca", "ebcdic-cp-wt", "ebcdic-cp-nl", "csibm037",], Codec::Bytes { base: Base::Full(&CP037), patch: &[] }),
    set("IBM437", &["ibm437", "cp437", "437", "cspc8codepage437"], Codec::Bytes { base: Base::High(&CP437), patch: &[] }),
    set("IBM850", &["ibm850", "cp850", "850", "cspc850multilingual"], Codec::Bytes { base: Base::High(&CP850), patch: &[] }),
    set("IBM852", &["ibm852", "cp852", "852", "cspcp852"], Codec::Bytes { base: Base::High(&CP852), patch: &[] }),
    set("IBM855", &["ibm855", "cp855", "855", "csibm855"], Codec::Bytes { base: Base::High(&CP855), patch: &[] }),
    set("IBM00858", &["ibm00858", "ccsid00858", "cp00858", "pc-multilingual-850+euro", "csibm00858",], Codec::Bytes { base: Base::High(&CP850), patch: CP858_PATCH }),
    set("IBM860", &["ibm860", "cp860", "860", "csibm860"], Codec::Bytes { base: Base::High(&CP437), patch: CP860_PATCH }),
    set("IBM862", &["ibm862", "cp862", "862", "cspc862latinhebrew"], Codec::Bytes { base: Base::High(&CP437), patch: CP862_PATCH }),
    set("IBM863", &["ibm863", "cp863", "863", "csibm863"], Codec::Bytes { base: Base::High(&CP437), patch: CP863_PATCH }),
    set("IBM865", &["ibm865", "cp865", "865", "csibm865"], Codec::Bytes { base: Base::High(&CP437), patch: CP865_PATCH }),
    set("IBM866", &["ibm866", "cp866", "866", "csibm866"], Codec::Whatwg(encoding_rs::IBM866)),
    set("IBM1047", &["ibm1047", "ibm-1047", "csibm1047"], Codec::Bytes { base: Base::Full(&CP037), patch: CP1047_PATCH }),
    set("IBM01140", &["ibm01140", "ccsid01140", "cp01140", "ebcdic-us-37+euro", "csibm01140",], Codec::Bytes { base: Base::Full(&CP037), patch: CP1140_PATCH }),
    set("ISO_8859-1:1987", &["iso_8859-1:1987", "iso-ir-100", "iso_8859-1", "iso-8859-1", "latin1", "l1", "ibm819", "cp819", "csisolatin1",], Codec::Bytes { base: Base::Latin1, patch: &[] }),
    set("ISO_8859-2:1987", &["iso_8859-2:1987", "iso-ir-101", "iso_8859-2", "iso-8859-2", "latin2", "l2", "csisolatin2",], Codec::Whatwg(encoding_rs::ISO_8859_2)),
    set("ISO_8859-3:1988", &["iso_8859-3:1988", "iso-ir-109", "iso_8859-3", "iso-8859-3", "latin3", "l3", "csisolatin3",], Codec::Whatwg(encoding_rs::ISO_8859_3)),
    set("ISO_8859-4:1988", &["iso_8859-4:1988", "iso-ir-110", "iso_8859-4", "iso-8859-4", "latin4", "l4", "csisolatin4",], Codec::Whatwg(encoding_rs::ISO_8859_4)),
    set("ISO_8859-5:1988", &["iso_8859-5:1988", "iso-ir-144", "iso_8859-5", "iso-8859-5", "cyrillic", "csisolatincyrillic",], Codec::Whatwg(encoding_rs::ISO_8859_5)),
    set("ISO_8859-6:1987", &["iso_8859-6:1987", "iso-ir-127", "iso_8859-6", "iso-8859-6", "ecma-114", "asmo-708", "arabic", "csisolatinarabic",], Codec::Whatwg(encoding_rs::ISO_8859_6)),
    set("ISO_8859-6-E", &["iso_8859-6-e", "csiso88596e", "iso-8859-6-e"], Codec::Whatwg(encoding_rs::ISO_8859_6)),
    set("ISO_8859-6-I", &["iso_8859-6-i", "csiso88596i", "iso-8859-6-i"], Codec::Whatwg(encoding_rs::ISO_8859_6)),
    set("ISO_8859-7:1987", &["iso_8859-7:1987", "iso-ir-126", "iso_8859-7", "iso-8859-7", "elot_928", "ecma-118", "greek", "greek8", "csisolatingreek",], Codec::Whatwg(encoding_rs::ISO_8859_7)),
    set("ISO_8859-8:1988", &["iso_8859-8:1988", "iso-ir-138", "iso_8859-8", "iso-8859-8", "hebrew", "csisolatinhebrew",], Codec::Whatwg(encoding_rs::ISO_8859_8)),
    set("ISO_8859-8-E", &["iso_8859-8-e", "csiso88598e", "iso-8859-8-e"], Codec::Whatwg(encoding_rs::ISO_8859_8)),
    set("ISO_8859-8-I", &["iso_8859-8-i", "csiso88598i", "iso-8859-8-i"], Codec::Whatwg(encoding_rs::ISO_8859_8_I)),
    set("ISO_8859-9:1989", &["iso_8859-9:1989", "iso-ir-148", "iso_8859-9", "iso-8859-9", "latin5", "l5", "csisolatin5",], Codec::Bytes { base: Base::Latin1, patch: ISO_8859_9_PATCH }),
    set("ISO-8859-10", &["iso-8859-10", "iso-ir-157", "l6", "iso_8859-10:1992", "csisolatin6", "latin6",], Codec::Whatwg(encoding_rs::ISO_8859_10)),
    set("ISO-8859-13", &["iso-8859-13", "csiso885913"], Codec::Whatwg(encoding_rs::ISO_8859_13)),
    set("ISO-8859-14", &["iso-8859-14", "iso-ir-199", "iso_8859-14:1998", "iso_8859-14", "latin8", "iso-celtic", "l8", "csiso885914",], Codec::Whatwg(encoding_rs::ISO_8859_14)),
    set("ISO-8859-15", &["iso-8859-15", "iso_8859-15", "latin-9", "csiso885915"], Codec::Whatwg(encoding_rs::ISO_8859_15)),
    set("ISO-8859-16", &["iso-8859-16", "iso-ir-226", "iso_8859-16:2001", "iso_8859-16", "latin10", "l10", "csiso885916",], Codec::Whatwg(encoding_rs::ISO_8859_16)),
    set("KOI8-R", &["koi8-r", "cskoi8r"], Codec::Whatwg(encoding_rs::KOI8_R)),
    set("KOI8-U", &["koi8-u", "cskoi8u"], Codec::Whatwg(encoding_rs::KOI8_U)),
    set("macintosh", &["macintosh", "mac", "csmacintosh"], Codec::Whatwg(encoding_rs::MACINTOSH)),
    set("windows-874", &["windows-874", "cswindows874"], Codec::Whatwg(encoding_rs::WINDOWS_874)),
    set("windows-1250", &["windows-1250", "cswindows1250"], Codec::Whatwg(encoding_rs::WINDOWS_1250)),
    set("windows-1251", &["windows-1251", "cswindows1251"], Codec::Whatwg(encoding_rs::WINDOWS_1251)),
    set("windows-1252", &["windows-1252", "cswindows1252"], Codec::Whatwg(encoding_rs::WINDOWS_1252)),
    set("windows-1253", &["windows-1253", "cswindows1253"], Codec::Whatwg(encoding_rs::WINDOWS_1253)),
    set("windows-1254", &["windows-1254", "cswindows1254"], Codec::Whatwg(encoding_rs::WINDOWS_1254)),
    set("windows-1255", &["windows-1255", "cswindows1255"], Codec::Whatwg(encoding_rs::WINDOWS_1255)),
    set("windows-1256", &["windows-1256", "cswindows1256"], Codec::Whatwg(encoding_rs::WINDOWS_1256)),
    set("windows-1257", &["windows-1257", "cswindows1257"], Codec::Whatwg(encoding_rs::WINDOWS_1257)),
    set("windows-1258", &["windows-1258", "cswindows1258"], Codec::Whatwg(encoding_rs::WINDOWS_1258)),
    set("Extended_UNIX_Code_Packed_Format_for_Japanese", &["extended_unix_code_packed_format_for_japanese", "cseucpkdfmtjapanese", "euc-jp",], Codec::Whatwg(encoding_rs::EUC_JP)),
    set("ISO-2022-JP", &["iso-2022-jp", "csiso2022jp"], Codec::Whatwg(encoding_rs::ISO_2022_JP)),
    set("Shift_JIS", &["shift_jis", "ms_kanji", "csshiftjis"], Codec::Whatwg(encoding_rs::SHIFT_JIS)),
    set("EUC-KR", &["euc-kr", "cseuckr"], Codec::Whatwg(encoding_rs::EUC_KR)),
    set("GB18030", &["gb18030", "csgb18030"], Codec::Whatwg(encoding_rs::GB18030)),
    set("GBK", &["gbk", "cp936", "ms936", "windows-936", "csgbk"], Codec::Whatwg(encoding_rs::GBK)),
    set("HZ-GB-2312", &["hz-gb-2312"], Codec::Hz),
    set("Big5", &["big5", "csbig5"], Codec::Whatwg(encoding_rs::BIG5)),
];

/// A row of [`CHARSETS`].
const fn set(name: &'static str, aliases: &'static [&'static str], codec: Codec) -> Charset {
    Charset {
        name,
        aliases,
        codec,
    }
}

/// IBM code page 037 (EBCDIC, US and Canada), by byte.
#[rustfmt::skip]
static CP037: [char; 256] = [
    '\u{0000}', '\u{0001}', '\u{0002}', '\u{0003}', '\u{009c}', '\u{0009}', '\u{0086}', '\u{007f}',
    '\u{0097}', '\u{008d}', '\u{008e}', '\u{000b}', '\u{000c}', '\u{000d}', '\u{000e}', '\u{000f}',
    '\u{0010}', '\u{0011}', '\u{0012}', '\u{0013}', '\u{009d}', '\u{0085}', '\u{0008}', '\u{0087}',
    '\u{0018}', '\u{0019}', '\u{0092}', '\u{008f}', '\u{001c}', '\u{001d}', '\u{001e}', '\u{001f}',
    '\u{0080}', '\u{0081}', '\u{0082}', '\u{0083}', '\u{0084}', '\u{000a}', '\u{0017}', '\u{001b}',
    '\u{0088}', '\u{0089}', '\u{008a}', '\u{008b}', '\u{008c}', '\u{0005}', '\u{0006}', '\u{0007}',
    '\u{0090}', '\u{0091}', '\u{0016}', '\u{0093}', '\u{0094}', '\u{0095}', '\u{0096}', '\u{0004}',
    '\u{0098}', '\u{0099}', '\u{009a}', '\u{009b}', '\u{0014}', '\u{0015}', '\u{009e}', '\u{001a}',
    '\u{0020}', '\u{00a0}', '\u{00e2}', '\u{00e4}', '\u{00e0}', '\u{00e1}', '\u{00e3}', '\u{00e5}',
    '\u{00e7}', '\u{00f1}', '\u{00a2}', '\u{002e}', '\u{003c}', '\u{0028}', '\u{002b}', '\u{007c}',
    '\u{0026}', '\u{00e9}', '\u{00ea}', '\u{00eb}', '\u{00e8}', '\u{00ed}', '\u{00ee}', '\u{00ef}',
    '\u{00ec}', '\u{00df}', '\u{0021}', '\u{0024}', '\u{002a}', '\u{0029}', '\u{003b}', '\u{00ac}',
    '\u{002d}', '\u{002f}', '\u{00c2}', '\u{00c4}', '\u{00c0}', '\u{00c1}', '\u{00c3}', '\u{00c5}',
    '\u{00c7}', '\u{00d1}', '\u{00a6}', '\u{002c}', '\u{0025}', '\u{005f}', '\u{003e}', '\u{003f}',
    '\u{00f8}', '\u{00c9}', '\u{00ca}', '\u{00cb}', '\u{00c8}', '\u{00cd}', '\u{00ce}', '\u{00cf}',
    '\u{00cc}', '\u{0060}', '\u{003a}', '\u{0023}', '\u{0040}', '\u{0027}', '\u{003d}', '\u{0022}',
    '\u{00d8}', '\u{0061}', '\u{0062}', '\u{0063}', '\u{0064}', '\u{0065}', '\u{0066}', '\u{0067}',
    '\u{0068}', '\u{0069}', '\u{00ab}', '\u{00bb}', '\u{00f0}', '\u{00fd}', '\u{00fe}', '\u{00b1}',
    '\u{00b0}', '\u{006a}', '\u{006b}', '\u{006c}', '\u{006d}', '\u{006e}', '\u{006f}', '\u{0070}',
    '\u{0071}', '\u{0072}', '\u{00aa}', '\u{00ba}', '\u{00e6}', '\u{00b8}', '\u{00c6}', '\u{00a4}',
    '\u{00b5}', '\u{007e}', '\u{0073}', '\u{0074}', '\u{0075}', '\u{0076}', '\u{0077}', '\u{0078}',
    '\u{0079}', '\u{007a}', '\u{00a1}', '\u{00bf}', '\u{00d0}', '\u{00dd}', '\u{00de}', '\u{00ae}',
    '\u{005e}', '\u{00a3}', '\u{00a5}', '\u{00b7}', '\u{00a9}', '\u{00a7}', '\u{00b6}', '\u{00bc}',
    '\u{00bd}', '\u{00be}', '\u{005b}', '\u{005d}', '\u{00af}', '\u{00a8}', '\u{00b4}', '\u{00d7}',
    '\u{007b}', '\u{0041}', '\u{0042}', '\u{0043}', '\u{0044}', '\u{0045}', '\u{0046}', '\u{0047}',
    '\u{0048}', '\u{0049}', '\u{00ad}', '\u{00f4}', '\u{00f6}', '\u{00f2}', '\u{00f3}', '\u{00f5}',
    '\u{007d}', '\u{004a}', '\u{004b}', '\u{004c}', '\u{004d}', '\u{004e}', '\u{004f}', '\u{0050}',
    '\u{0051}', '\u{0052}', '\u{00b9}', '\u{00fb}', '\u{00fc}', '\u{00f9}', '\u{00fa}', '\u{00ff}',
    '\u{005c}', '\u{00f7}', '\u{0053}', '\u{0054}', '\u{0055}', '\u{0056}', '\u{0057}', '\u{0058}',
    '\u{0059}', '\u{005a}', '\u{00b2}', '\u{00d4}', '\u{00d6}', '\u{00d2}', '\u{00d3}', '\u{00d5}',
    '\u{0030}', '\u{0031}', '\u{0032}', '\u{0033}', '\u{0034}', '\u{0035}', '\u{0036}', '\u{0037}',
    '\u{0038}', '\u{0039}', '\u{00b3}', '\u{00db}', '\u{00dc}', '\u{00d9}', '\u{00da}', '\u{009f}',
];

/// IBM code page 437 (the original PC set), by byte from 0x80 (below it, ASCII).
#[rustfmt::skip]
static CP437: [char; 128] = [
    '\u{00c7}', '\u{00fc}', '\u{00e9}', '\u{00e2}', '\u{00e4}', '\u{00e0}', '\u{00e5}', '\u{00e7}',
    '\u{00ea}', '\u{00eb}', '\u{00e8}', '\u{00ef}', '\u{00ee}', '\u{00ec}', '\u{00c4}', '\u{00c5}',
    '\u{00c9}', '\u{00e6}', '\u{00c6}', '\u{00f4}', '\u{00f6}', '\u{00f2}', '\u{00fb}', '\u{00f9}',
    '\u{00ff}', '\u{00d6}', '\u{00dc}', '\u{00a2}', '\u{00a3}', '\u{00a5}', '\u{20a7}', '\u{0192}',
    '\u{00e1}', '\u{00ed}', '\u{00f3}', '\u{00fa}', '\u{00f1}', '\u{00d1}', '\u{00aa}', '\u{00ba}',
    '\u{00bf}', '\u{2310}', '\u{00ac}', '\u{00bd}', '\u{00bc}', '\u{00a1}', '\u{00ab}', '\u{00bb}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{2561}', '\u{2562}', '\u{2556}',
    '\u{2555}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255d}', '\u{255c}', '\u{255b}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252c}', '\u{251c}', '\u{2500}', '\u{253c}', '\u{255e}', '\u{255f}',
    '\u{255a}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256c}', '\u{2567}',
    '\u{2568}', '\u{2564}', '\u{2565}', '\u{2559}', '\u{2558}', '\u{2552}', '\u{2553}', '\u{256b}',
    '\u{256a}', '\u{2518}', '\u{250c}', '\u{2588}', '\u{2584}', '\u{258c}', '\u{2590}', '\u{2580}',
    '\u{03b1}', '\u{00df}', '\u{0393}', '\u{03c0}', '\u{03a3}', '\u{03c3}', '\u{00b5}', '\u{03c4}',
    '\u{03a6}', '\u{0398}', '\u{03a9}', '\u{03b4}', '\u{221e}', '\u{03c6}', '\u{03b5}', '\u{2229}',
    '\u{2261}', '\u{00b1}', '\u{2265}', '\u{2264}', '\u{2320}', '\u{2321}', '\u{00f7}', '\u{2248}',
    '\u{00b0}', '\u{2219}', '\u{00b7}', '\u{221a}', '\u{207f}', '\u{00b2}', '\u{25a0}', '\u{00a0}',
];

/// IBM code page 850 (DOS Latin 1), by byte from 0x80 (below it, ASCII).
#[rustfmt::skip]
static CP850: [char; 128] = [
    '\u{00c7}', '\u{00fc}', '\u{00e9}', '\u{00e2}', '\u{00e4}', '\u{00e0}', '\u{00e5}', '\u{00e7}',
    '\u{00ea}', '\u{00eb}', '\u{00e8}', '\u{00ef}', '\u{00ee}', '\u{00ec}', '\u{00c4}', '\u{00c5}',
    '\u{00c9}', '\u{00e6}', '\u{00c6}', '\u{00f4}', '\u{00f6}', '\u{00f2}', '\u{00fb}', '\u{00f9}',
    '\u{00ff}', '\u{00d6}', '\u{00dc}', '\u{00f8}', '\u{00a3}', '\u{00d8}', '\u{00d7}', '\u{0192}',
    '\u{00e1}', '\u{00ed}', '\u{00f3}', '\u{00fa}', '\u{00f1}', '\u{00d1}', '\u{00aa}', '\u{00ba}',
    '\u{00bf}', '\u{00ae}', '\u{00ac}', '\u{00bd}', '\u{00bc}', '\u{00a1}', '\u{00ab}', '\u{00bb}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{00c1}', '\u{00c2}', '\u{00c0}',
    '\u{00a9}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255d}', '\u{00a2}', '\u{00a5}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252c}', '\u{251c}', '\u{2500}', '\u{253c}', '\u{00e3}', '\u{00c3}',
    '\u{255a}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256c}', '\u{00a4}',
    '\u{00f0}', '\u{00d0}', '\u{00ca}', '\u{00cb}', '\u{00c8}', '\u{0131}', '\u{00cd}', '\u{00ce}',
    '\u{00cf}', '\u{2518}', '\u{250c}', '\u{2588}', '\u{2584}', '\u{00a6}', '\u{00cc}', '\u{2580}',
    '\u{00d3}', '\u{00df}', '\u{00d4}', '\u{00d2}', '\u{00f5}', '\u{00d5}', '\u{00b5}', '\u{00fe}',
    '\u{00de}', '\u{00da}', '\u{00db}', '\u{00d9}', '\u{00fd}', '\u{00dd}', '\u{00af}', '\u{00b4}',
    '\u{00ad}', '\u{00b1}', '\u{2017}', '\u{00be}', '\u{00b6}', '\u{00a7}', '\u{00f7}', '\u{00b8}',
    '\u{00b0}', '\u{00a8}', '\u{00b7}', '\u{00b9}', '\u{00b3}', '\u{00b2}', '\u{25a0}', '\u{00a0}',
];

/// IBM code page 852 (DOS Latin 2), by byte from 0x80 (below it, ASCII).
#[rustfmt::skip]
static CP852: [char; 128] = [
    '\u{00c7}', '\u{00fc}', '\u{00e9}', '\u{00e2}', '\u{00e4}', '\u{016f}', '\u{0107}', '\u{00e7}',
    '\u{0142}', '\u{00eb}', '\u{0150}', '\u{0151}', '\u{00ee}', '\u{0179}', '\u{00c4}', '\u{0106}',
    '\u{00c9}', '\u{0139}', '\u{013a}', '\u{00f4}', '\u{00f6}', '\u{013d}', '\u{013e}', '\u{015a}',
    '\u{015b}', '\u{00d6}', '\u{00dc}', '\u{0164}', '\u{0165}', '\u{0141}', '\u{00d7}', '\u{010d}',
    '\u{00e1}', '\u{00ed}', '\u{00f3}', '\u{00fa}', '\u{0104}', '\u{0105}', '\u{017d}', '\u{017e}',
    '\u{0118}', '\u{0119}', '\u{00ac}', '\u{017a}', '\u{010c}', '\u{015f}', '\u{00ab}', '\u{00bb}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{00c1}', '\u{00c2}', '\u{011a}',
    '\u{015e}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255d}', '\u{017b}', '\u{017c}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252c}', '\u{251c}', '\u{2500}', '\u{253c}', '\u{0102}', '\u{0103}',
    '\u{255a}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256c}', '\u{00a4}',
    '\u{0111}', '\u{0110}', '\u{010e}', '\u{00cb}', '\u{010f}', '\u{0147}', '\u{00cd}', '\u{00ce}',
    '\u{011b}', '\u{2518}', '\u{250c}', '\u{2588}', '\u{2584}', '\u{0162}', '\u{016e}', '\u{2580}',
    '\u{00d3}', '\u{00df}', '\u{00d4}', '\u{0143}', '\u{0144}', '\u{0148}', '\u{0160}', '\u{0161}',
    '\u{0154}', '\u{00da}', '\u{0155}', '\u{0170}', '\u{00fd}', '\u{00dd}', '\u{0163}', '\u{00b4}',
    '\u{00ad}', '\u{02dd}', '\u{02db}', '\u{02c7}', '\u{02d8}', '\u{00a7}', '\u{00f7}', '\u{00b8}',
    '\u{00b0}', '\u{00a8}', '\u{02d9}', '\u{0171}', '\u{0158}', '\u{0159}', '\u{25a0}', '\u{00a0}',
];

/// IBM code page 855 (DOS Cyrillic), by byte from 0x80 (below it, ASCII).
#[rustfmt::skip]
static CP855: [char; 128] = [
    '\u{0452}', '\u{0402}', '\u{0453}', '\u{0403}', '\u{0451}', '\u{0401}', '\u{0454}', '\u{0404}',
    '\u{0455}', '\u{0405}', '\u{0456}', '\u{0406}', '\u{0457}', '\u{0407}', '\u{0458}', '\u{0408}',
    '\u{0459}', '\u{0409}', '\u{045a}', '\u{040a}', '\u{045b}', '\u{040b}', '\u{045c}', '\u{040c}',
    '\u{045e}', '\u{040e}', '\u{045f}', '\u{040f}', '\u{044e}', '\u{042e}', '\u{044a}', '\u{042a}',
    '\u{0430}', '\u{0410}', '\u{0431}', '\u{0411}', '\u{0446}', '\u{0426}', '\u{0434}', '\u{0414}',
    '\u{0435}', '\u{0415}', '\u{0444}', '\u{0424}', '\u{0433}', '\u{0413}', '\u{00ab}', '\u{00bb}',
    '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{0445}', '\u{0425}', '\u{0438}',
    '\u{0418}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255d}', '\u{0439}', '\u{0419}', '\u{2510}',
    '\u{2514}', '\u{2534}', '\u{252c}', '\u{251c}', '\u{2500}', '\u{253c}', '\u{043a}', '\u{041a}',
    '\u{255a}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256c}', '\u{00a4}',
    '\u{043b}', '\u{041b}', '\u{043c}', '\u{041c}', '\u{043d}', '\u{041d}', '\u{043e}', '\u{041e}',
    '\u{043f}', '\u{2518}', '\u{250c}', '\u{2588}', '\u{2584}', '\u{041f}', '\u{044f}', '\u{2580}',
    '\u{042f}', '\u{0440}', '\u{0420}', '\u{0441}', '\u{0421}', '\u{0442}', '\u{0422}', '\u{0443}',
    '\u{0423}', '\u{0436}', '\u{0416}', '\u{0432}', '\u{0412}', '\u{044c}', '\u{042c}', '\u{2116}',
    '\u{00ad}', '\u{044b}', '\u{042b}', '\u{0437}', '\u{0417}', '\u{0448}', '\u{0428}', '\u{044d}',
    '\u{042d}', '\u{0449}', '\u{0429}', '\u{0447}', '\u{0427}', '\u{00a7}', '\u{25a0}', '\u{00a0}',
];

/// Where IBM code page 858 differs from 850 (the euro sign).
static CP858_PATCH: &[(u8, char)] = &[(0xd5, '\u{20ac}')];

/// Where IBM code page 860 (Portuguese) differs from 437.
static CP860_PATCH: &[(u8, char)] = &[
    (0x84, '\u{00e3}'),
    (0x86, '\u{00c1}'),
    (0x89, '\u{00ca}'),
    (0x8b, '\u{00cd}'),
    (0x8c, '\u{00d4}'),
    (0x8e, '\u{00c3}'),
    (0x8f, '\u{00c2}'),
    (0x91, '\u{00c0}'),
    (0x92, '\u{00c8}'),
    (0x94, '\u{00f5}'),
    (0x96, '\u{00da}'),
    (0x98, '\u{00cc}'),
    (0x99, '\u{00d5}'),
    (0x9d, '\u{00d9}'),
    (0x9f, '\u{00d3}'),
    (0xa9, '\u{00d2}'),
];

/// Where IBM code page 862 (Hebrew) differs from 437.
static CP862_PATCH: &[(u8, char)] = &[
    (0x80, '\u{05d0}'),
    (0x81, '\u{05d1}'),
    (0x82, '\u{05d2}'),
    (0x83, '\u{05d3}'),
    (0x84, '\u{05d4}'),
    (0x85, '\u{05d5}'),
    (0x86, '\u{05d6}'),
    (0x87, '\u{05d7}'),
    (0x88, '\u{05d8}'),
    (0x89, '\u{05d9}'),
    (0x8a, '\u{05da}'),
    (0x8b, '\u{05db}'),
    (0x8c, '\u{05dc}'),
    (0x8d, '\u{05dd}'),
    (0x8e, '\u{05de}'),
    (0x8f, '\u{05df}'),
    (0x90, '\u{05e0}'),
    (0x91, '\u{05e1}'),
    (0x92, '\u{05e2}'),
    (0x93, '\u{05e3}'),
    (0x94, '\u{05e4}'),
    (0x95, '\u{05e5}'),
    (0x96, '\u{05e6}'),
    (0x97, '\u{05e7}'),
    (0x98, '\u{05e8}'),
    (0x99, '\u{05e9}'),
    (0x9a, '\u{05ea}'),
];

/// Where IBM code page 863 (Canadian French) differs from 437.
static CP863_PATCH: &[(u8, char)] = &[
    (0x84, '\u{00c2}'),
    (0x86, '\u{00b6}'),
    (0x8d, '\u{2017}'),
    (0x8e, '\u{00c0}'),
    (0x8f, '\u{00a7}'),
    (0x91, '\u{00c8}'),
    (0x92, '\u{00ca}'),
    (0x94, '\u{00cb}'),
    (0x95, '\u{00cf}'),
    (0x98, '\u{00a4}'),
    (0x99, '\u{00d4}'),
    (0x9d, '\u{00d9}'),
    (0x9e, '\u{00db}'),
    (0xa0, '\u{00a6}'),
    (0xa1, '\u{00b4}'),
    (0xa4, '\u{00a8}'),
    (0xa5, '\u{00b8}'),
    (0xa6, '\u{00b3}'),
    (0xa7, '\u{00af}'),
    (0xa8, '\u{00ce}'),
    (0xad, '\u{00be}'),
];

/// Where IBM code page 865 (Nordic) differs from 437.
static CP865_PATCH: &[(u8, char)] = &[(0x9b, '\u{00f8}'), (0x9d, '\u{00d8}'), (0xaf, '\u{00a4}')];

/// Where IBM code page 1047 (EBCDIC Latin 1) differs from 037.
static CP1047_PATCH: &[(u8, char)] = &[
    (0x5f, '\u{005e}'),
    (0xad, '\u{005b}'),
    (0xb0, '\u{00ac}'),
    (0xba, '\u{00dd}'),
    (0xbb, '\u{00a8}'),
    (0xbd, '\u{005d}'),
];

/// Where IBM code page 1140 differs from 037 (the euro sign).
static CP1140_PATCH: &[(u8, char)] = &[(0x9f, '\u{20ac}')];

/// Where ISO-8859-9 (Latin 5, as ICU maps it) differs from ISO-8859-1.
static ISO_8859_9_PATCH: &[(u8, char)] = &[
    (0xd0, '\u{011e}'),
    (0xdd, '\u{0130}'),
    (0xde, '\u{015e}'),
    (0xf0, '\u{011f}'),
    (0xfd, '\u{0131}'),
    (0xfe, '\u{015f}'),
];
