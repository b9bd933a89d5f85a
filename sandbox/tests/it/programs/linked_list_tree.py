from typing import Optional


class ListNode:
    def __init__(self, val=0, next=None):
        self.val = val
        self.next = next


class TreeNode:
    def __init__(self, val=0, left=None, right=None):
        self.val, self.left, self.right = val, left, right


def reverse(head: Optional[ListNode]) -> Optional[ListNode]:
    prev = None
    while head:
        head.next, prev, head = prev, head, head.next
    return prev


def build(vals):
    head = None
    for v in reversed(vals):
        head = ListNode(v, head)
    return head


def to_list(head):
    out = []
    while head:
        out.append(head.val)
        head = head.next
    return out


def sorted_to_bst(vals):
    if not vals:
        return None
    mid = len(vals) // 2
    return TreeNode(vals[mid], sorted_to_bst(vals[:mid]), sorted_to_bst(vals[mid + 1 :]))


def inorder(node):
    return inorder(node.left) + [node.val] + inorder(node.right) if node else []


def depth(node):
    return 1 + max(depth(node.left), depth(node.right)) if node else 0


print(to_list(reverse(build([1, 2, 3, 4, 5]))))
tree = sorted_to_bst(list(range(1000)))
print(inorder(tree) == list(range(1000)), depth(tree))
