"""The partnership's rules as data: configuration, the working calendar, identifiers, the glossary, the clock."""
