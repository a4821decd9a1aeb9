//! Forgiving JSON building blocks for SBOM documents.
//!
//! SBOM writers do not all follow their schema: versions and property values arrive as numbers,
//! fields that should be strings hold objects, `evidence.identity` is an object in CycloneDX 1.5
//! and an array in 1.6. One odd field must not lose a whole document, so:
//! - [`Text`] reads any scalar as text (`1` becomes `"1"`) and anything else (object, array,
//!   `null`) as absent, without buffering it;
//! - [`Lenient`] reads one array element or sub-object through a [`serde_json::Value`] and keeps
//!   it only when it has the expected shape, so a malformed component is dropped (and counted)
//!   instead of failing the document. The buffering costs a copy of that element, which is small.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// A scalar read as text; `None` for `null`, objects and arrays.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Text(pub(crate) Option<String>);

impl Text {
    /// The text, trimmed; `None` when absent or blank.
    pub(crate) fn get(&self) -> Option<&str> {
        self.0
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TextVisitor)
    }
}

struct TextVisitor;

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Text;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Text, E> {
        Ok(Text(Some(value.to_owned())))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Text, E> {
        Ok(Text(Some(value)))
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Text, E> {
        Ok(Text(Some(value.to_string())))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Text, E> {
        Ok(Text(Some(value.to_string())))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Text, E> {
        Ok(Text(Some(value.to_string())))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Text, E> {
        Ok(Text(Some(value.to_string())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
        Ok(Text(None))
    }

    fn visit_none<E: de::Error>(self) -> Result<Text, E> {
        Ok(Text(None))
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Text, D::Error> {
        Text::deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Text, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Text, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Text(None))
    }
}

/// A value kept only when it has the expected shape; `None` otherwise.
#[derive(Debug, Clone)]
pub(crate) struct Lenient<T>(pub(crate) Option<T>);

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Lenient(None)
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Lenient<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(Lenient(T::deserialize(value).ok()))
    }
}

/// A list that may be absent, `null` or not a list at all (all read as empty), whose elements
/// are each [`Lenient`].
#[derive(Debug, Clone)]
pub(crate) struct List<T>(pub(crate) Vec<Lenient<T>>);

impl<T> Default for List<T> {
    fn default() -> Self {
        List(Vec::new())
    }
}

impl<T> List<T> {
    /// The elements that have the expected shape.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.0.iter().filter_map(|element| element.0.as_ref())
    }

    /// How many elements did not have the expected shape.
    pub(crate) fn malformed(&self) -> usize {
        self.0.iter().filter(|element| element.0.is_none()).count()
    }

    /// How many elements there are, well-formed or not.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for List<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ListVisitor(std::marker::PhantomData))
    }
}

struct ListVisitor<T>(std::marker::PhantomData<T>);

impl<'de, T: serde::de::DeserializeOwned> Visitor<'de> for ListVisitor<T> {
    type Value = List<T>;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<List<T>, A::Error> {
        let mut elements = Vec::new();
        while let Some(element) = seq.next_element::<Lenient<T>>()? {
            elements.push(element);
        }
        Ok(List(elements))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<List<T>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(List::default())
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<List<T>, E> {
        Ok(List::default())
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<List<T>, E> {
        Ok(List::default())
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<List<T>, E> {
        Ok(List::default())
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<List<T>, E> {
        Ok(List::default())
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<List<T>, E> {
        Ok(List::default())
    }

    fn visit_unit<E: de::Error>(self) -> Result<List<T>, E> {
        Ok(List::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(default)]
    struct Item {
        name: Text,
    }

    #[test]
    fn scalars_become_text_and_the_rest_is_absent() {
        let cases = [
            (r#""a""#, Some("a")),
            ("1", Some("1")),
            ("1.5", Some("1.5")),
            ("true", Some("true")),
            ("null", None),
            ("[1, 2]", None),
            (r#"{"a": [1]}"#, None),
            (r#""  ""#, None),
        ];
        for (json, expected) in cases {
            let text: Text = serde_json::from_str(json).unwrap();
            assert_eq!(text.get(), expected, "{json}");
        }
    }

    #[test]
    fn lists_keep_the_well_formed_elements() {
        let list: List<Item> =
            serde_json::from_str(r#"[{"name": "a"}, 3, {"name": {"x": 1}}, "b", {}]"#).unwrap();
        assert_eq!(list.len(), 5);
        assert_eq!(list.malformed(), 2);
        let names: Vec<_> = list.iter().map(|item| item.name.get()).collect();
        assert_eq!(names, [Some("a"), None, None]);
        for json in ["null", "{}", "\"x\"", "7"] {
            let list: List<Item> = serde_json::from_str(json).unwrap();
            assert_eq!(list.len(), 0, "{json}");
        }
    }
}
