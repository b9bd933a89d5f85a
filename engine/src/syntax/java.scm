; Java: what the context builder and the validators look for in a file.
; Captures: @import (a whole import or package declaration), @definition.<kind> (a whole declaration) with
; @name and @body (the body after the header; where the header ends). Abstract and interface methods have
; no body.

(package_declaration) @import
(import_declaration) @import

(class_declaration
  name: (identifier) @name
  body: (class_body) @body) @definition.class

(interface_declaration
  name: (identifier) @name
  body: (interface_body) @body) @definition.interface

(enum_declaration
  name: (identifier) @name
  body: (enum_body) @body) @definition.enum

(record_declaration
  name: (identifier) @name
  body: (class_body) @body) @definition.record

(method_declaration
  name: (identifier) @name
  body: (block)? @body) @definition.method

(constructor_declaration
  name: (identifier) @name
  body: (constructor_body) @body) @definition.constructor

(field_declaration
  declarator: (variable_declarator
    name: (identifier) @name)) @definition.field
