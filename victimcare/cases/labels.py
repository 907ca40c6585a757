"""Labels of the coded values of people and cases."""
from flask_babel import lazy_gettext as _l

from victimcare.cases.models import DocumentType, Gender
from victimcare.cases.operations import ErasureReason, SearchKind
from victimcare.labels import register

register(Gender, {
    Gender.FEMININE: _l("Female"),
    Gender.MASCULINE: _l("Male"),
    Gender.TRANSGENDER_FEMININE: _l("Transgender woman"),
    Gender.TRANSGENDER_MASCULINE: _l("Transgender man"),
    Gender.NON_CONFORMING: _l("Gender non-conforming"),
    Gender.UNKNOWN: _l("Not specified / unknown"),
})
register(DocumentType, {
    DocumentType.CITIZEN_ID: _l("Citizen identity card"),
    DocumentType.PASSPORT: _l("Passport"),
    DocumentType.BIRTH_CERTIFICATE: _l("Birth certificate"),
    DocumentType.OTHER: _l("Other document"),
})
register(ErasureReason, {
    ErasureReason.PERSON_REQUEST: _l("The person asked for their data to be erased"),
    ErasureReason.LEGAL_ORDER: _l("A lawful order to erase"),
    ErasureReason.RECORDED_IN_ERROR: _l("Recorded in error"),
    ErasureReason.DUPLICATE_RECORD: _l("Duplicate record"),
})
register(SearchKind, {
    SearchKind.NAME: _l("Full name"),
    SearchKind.ID_NUMBER: _l("ID document number"),
    SearchKind.PHONE: _l("Phone number"),
})
