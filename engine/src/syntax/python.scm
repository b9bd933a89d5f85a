; Python: what the context builder and the validators look for in a file.
; Captures: @import (a whole import statement), @definition.<kind> (a whole definition) with @name and
; @body (the block after the header; where the header ends).

(import_statement) @import
(import_from_statement) @import
(future_import_statement) @import

(function_definition
  name: (identifier) @name
  body: (block) @body) @definition.function

(class_definition
  name: (identifier) @name
  body: (block) @body) @definition.class

; Module-level constants and aliases (`MAX = 10`, `Point = tuple[int, int]`).
(module
  (expression_statement
    (assignment
      left: (identifier) @name)) @definition.constant)
