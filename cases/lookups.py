"""`__in` on integer fields ignores values the column cannot hold.

Django range-checks `exact`, `gt`, `lt`… on integer fields (a value beyond the column matches
nothing), but not `in`: `pk__in=[10**400]` reaches the database, and SQLite raises "Python int
too large" (PostgreSQL: NumericValueOutOfRange). Forms do this with whatever was posted
(ModelMultipleChoiceField, the admin's selected rows), so a posted 400-digit id was a 500.
Here such values are dropped, as `exact` drops them: they match no row.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def register():
    IntegerField.register_lookup(IntegerFieldIn)
